: Leaky integrate-and-fire reset and refractoriness for a one-compartment NEURON cell,
: and a current-based exponential synapse, for the Brette et al. 2007 benchmarks run
: side by side with memsnn (bench/peers/neuron_brette.py).
:
: LIFReset receives an event from its own cell's threshold NetCon: v jumps to vreset and
: is held there for tref by a large conductance (NEURON has no built-in reset for cells
: with membrane state). ExpCurr is ExpSyn with a current instead of a conductance.

NEURON {
  POINT_PROCESS LIFReset
  RANGE vreset, tref, gclamp
  NONSPECIFIC_CURRENT i
}

UNITS {
  (mV) = (millivolt)
  (nA) = (nanoamp)
  (uS) = (microsiemens)
}

PARAMETER {
  vreset = -60 (mV)
  tref = 5 (ms)
  gclamp = 100 (uS)   : 10^4 x the leak: holds v within ~0.03 mV of vreset
}

ASSIGNED {
  v (mV)
  i (nA)
  refractory
}

INITIAL { refractory = 0 }

BREAKPOINT { i = refractory * gclamp * (v - vreset) }

NET_RECEIVE (w) {
  if (flag == 0) {
    v = vreset
    refractory = 1
    net_send(tref, 3)
  } else if (flag == 3) {
    refractory = 0
  }
}

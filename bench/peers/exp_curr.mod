: Current-based exponentially decaying synapse (weight in nA, positive depolarises),
: for the CUBA benchmark (bench/peers/neuron_brette.py).

NEURON {
  POINT_PROCESS ExpCurr
  RANGE tau, isyn
  NONSPECIFIC_CURRENT i
}

UNITS { (nA) = (nanoamp) }

PARAMETER { tau = 5 (ms) }

ASSIGNED { i (nA) }

STATE { isyn (nA) }

INITIAL { isyn = 0 }

BREAKPOINT {
  SOLVE state METHOD cnexp
  i = -isyn
}

DERIVATIVE state { isyn' = -isyn / tau }

NET_RECEIVE (w (nA)) { isyn = isyn + w }

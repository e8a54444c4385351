/* placeholder until the first model lands */
typedef int ms_neurons_placeholder;

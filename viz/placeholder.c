/* placeholder */
typedef int ms_viz_placeholder;

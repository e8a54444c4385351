/* placeholder */
typedef int ms_devices_placeholder;

/* placeholder */
typedef int ms_lua_placeholder;

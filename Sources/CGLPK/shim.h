#ifndef CASES_CGLPK_SHIM_H
#define CASES_CGLPK_SHIM_H
/* Debian's libglpk-dev ships no pkg-config file, so the module map links "glpk" itself. */
#include <glpk.h>
#endif

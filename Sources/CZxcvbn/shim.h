#ifndef CASES_CZXCVBN_SHIM_H
#define CASES_CZXCVBN_SHIM_H
/* Debian's libzxcvbn-dev ships no pkg-config file: the module map links the library by name. */
#include <zxcvbn.h>
#endif

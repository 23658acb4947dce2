// The host build of routing.cu: the same source compiled as C++ (portability.h).
#include "../routing.cu"

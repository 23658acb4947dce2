// The host build of combine.cu: the same source compiled as C++ (portability.h).
#include "../combine.cu"

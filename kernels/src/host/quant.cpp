// The host build of quant.cu: the same source compiled as C++ (portability.h).
#include "../quant.cu"

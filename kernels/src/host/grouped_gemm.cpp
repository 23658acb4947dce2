// The host build of grouped_gemm.cu: the same source compiled as C++ (portability.h).
#include "../grouped_gemm.cu"

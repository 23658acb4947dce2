/* Every Xcadre instruction of the SDK header, once each, in the order of the
   ISA table (test_sdk_header checks the words the compiler emitted). Never
   run: it only has to assemble. */
#include "cadre_xcadre.h"

void every_instruction(uint64_t a, uint64_t b);
void every_instruction(uint64_t a, uint64_t b) {
  cdma_ld_cfg(a);
  cdma_ld_idx(a);
  cdma_ld(a, b);
  cdma_gather(a, b);
  cdma_st_cfg(a, b);
  cdma_st_idx(a, b);
  cdma_st(a, b);
  cdma_scatadd(a, b);
  cmx_cfg(a, b);
  cmx_preload(a, b);
  cmx_mm(a, b);
  cmx_mm_acc(a, b);
  cvec_add(a, b);
  cvec_mul(a, b);
  cvec_muls(a, b);
  cvec_cvt(a, b);
  cvec_q_cfg(a);
  cvec_sigmoid(a, b);
  cvec_softmax(a, b);
  cvec_silumul(a, b);
  cvec_silumul_q(a, b);
  cvec_quant(a, b);
  cvec_route_cfg(a, b);
  cvec_topk(a, b);
  cvec_gtopk(a, b);
  cvec_count(a, b);
  cvec_align(a, b);
  csync_sig_ld(a);
  csync_sig_ex(a);
  csync_sig_st(a);
  csync_sig(a);
  csync_wait_ld(a);
  csync_wait_ex(a);
  csync_wait_st(a);
  csync_wait(a);
  cx_fence(a);
  (void)cx_status(a);
}

int main(unsigned long tile, unsigned long tiles) {
  every_instruction(tile, tiles);
  return 0;
}

// The block-scale step of docs/numerics.md, in its order and unfused:
// s = sa * sb, p = block * s, acc + p, each rounded to FP32, nearest even
// (scale_step in the numerics library).
/* verilator tracing_off */  // waveforms show the dataflow, not the arithmetic's inside
module cadre_scale_step (
    input  logic [31:0] acc,
    input  logic [31:0] block,
    input  logic [31:0] sa,
    input  logic [31:0] sb,
    output logic [31:0] result
);
  /*verilator inline_module*/  // into its cell: see cadre_pe
  logic [31:0] s, p;
  cadre_fp_mul #(.MAN(23)) scales (.a(sa), .b(sb), .result(s));
  cadre_fp_mul #(.MAN(23)) scaled (.a(block), .b(s), .result(p));
  cadre_fp32_add add (.a(acc), .b(p), .result(result));
endmodule

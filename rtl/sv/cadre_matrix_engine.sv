// The matrix engine: an R x C weight-stationary systolic array of cadre_pe
// cells, the accumulator stage below each column, and the controller that
// runs one cmx.mm command (docs/rtl.md, docs/accelerator.md "Matrix engine").
//
// B (N x K) is cut into folds of R values of K by C values of N, in N-major
// order (the K folds of a column group back to back). Each fold's weights are
// read PRELOAD_ROWS_PER_CYCLE array rows a cycle, P = ceil(R / that) cycles;
// then the M rows of A stream in, one a cycle, element r of a row entering
// array row r r cycles late (the skew), and cell (r, c) holds B[n0 + c][k0 + r].
// Each column's sums leave the bottom row in the cycle they are made and go
// through the column's accumulator stage.
//
// With one weight register per cell a fold's weights are written once the
// previous fold has drained: F * (P + R + C + M - 2) cycles. With two, fold
// h + 1's weights are read while fold h streams and are written into the
// other registers along fold h's wavefront (cell (r, c) at r + c cycles after
// the read of its row group began, through a delay line), and fold h + 1
// streams max(P, M) cycles after fold h: P + (F - 1) * max(P, M) + M + R + C
// - 2 cycles. A BF16 fold that continues the previous fold's sums (the next K
// of the same columns) reads them at the top of the column, so it waits until
// they have left the bottom: at least R cycles after the previous fold.
//
// The memories are outside: each port gives an index, and the data come back
// in the same cycle (an SRAM read whose address was registered a cycle
// before). The requests depend only on registers.
module cadre_matrix_engine #(
`include "cadre_matrix_params.svh"
    ,
    // Lanes of partial sums a column carries: the most K blocks one fold
    // touches (docs/rtl.md).
    localparam int LANES = MATRIX_ROWS % 128 == 0 ? MATRIX_ROWS / 128
                         : 128 % MATRIX_ROWS == 0 ? 1 : (MATRIX_ROWS - 1) / 128 + 2,
    localparam int LW = cadre_matrix_pkg::LANE_W
) (
    input  logic clk,
    input  logic rst,
    // A command, taken when start is high and the engine is idle.
    input  logic        start,
    input  logic [15:0] cmd_m,
    input  logic [15:0] cmd_n,
    input  logic [15:0] cmd_k,
    input  logic        cmd_bf16,    // BF16 x BF16; else FP8 x FP8
    input  logic        cmd_a_e5m2,  // FP8 formats: 1 E5M2, 0 E4M3
    input  logic        cmd_b_e5m2,
    output logic        busy,
    // Weights: array rows w_row0 .. w_row0 + PRELOAD_ROWS_PER_CYCLE - 1 of the
    // fold at (w_k0, w_n0): element (j, c) is B[w_n0 + c][w_k0 + w_row0 + j];
    // with the FP32 weight scales of the fold's K blocks, (c, o) the scale of
    // row w_n0 + c and block w_k0 / 128 + o.
    output logic        w_req,
    output logic [31:0] w_k0,
    output logic [31:0] w_row0,
    output logic [31:0] w_n0,
    input  logic [MATRIX_PRELOAD_ROWS_PER_CYCLE*MATRIX_COLS*16-1:0] w_data,
    input  logic [MATRIX_COLS*LANES*32-1:0] w_scales,
    // A: element r is A[a_m][a_k0 + r]; scale o is row a_m's of block a_k0 / 128 + o.
    output logic        a_req,
    output logic [31:0] a_m,
    output logic [31:0] a_k0,
    input  logic [MATRIX_ROWS*16-1:0] a_data,
    input  logic [LANES*32-1:0] a_scales,
    // BF16: the FP32 accumulator value of (top_m, top_n) for column c, read
    // where its sum enters the column.
    output logic [MATRIX_COLS-1:0]    top_req,
    output logic [MATRIX_COLS*32-1:0] top_m,
    output logic [MATRIX_COLS*32-1:0] top_n,
    input  logic [MATRIX_COLS*32-1:0] top_acc,
    // The state of (bot_m, bot_n) below column c: its FP32 accumulator value
    // and the partial sum of an unfinished FP8 block, read and written back.
    output logic [MATRIX_COLS-1:0]    bot_req,
    output logic [MATRIX_COLS*32-1:0] bot_m,
    output logic [MATRIX_COLS*32-1:0] bot_n,
    input  logic [MATRIX_COLS*32-1:0] bot_acc,
    input  logic [MATRIX_COLS*LW-1:0] bot_carry,
    output logic [MATRIX_COLS*32-1:0] bot_acc_out,
    output logic [MATRIX_COLS*LW-1:0] bot_carry_out
);
  localparam int R = MATRIX_ROWS;
  localparam int C = MATRIX_COLS;
  localparam int PR = MATRIX_PRELOAD_ROWS_PER_CYCLE;
  localparam int WB = MATRIX_WEIGHT_BUFFERS;
  localparam int P = (R + PR - 1) / PR;
  localparam int NBW = $clog2(LANES + 1);

  // ---- Controller ----

  typedef enum logic [1:0] {
    IDLE,
    PRELOAD,  // the weights of the fold about to stream
    STREAM    // the fold's rows (and, with two buffers, the next fold's weights)
  } state_t;

  state_t state;
  logic [31:0] j;  // cycle within the state
  logic [31:0] m_size, n_size, k_size;
  logic bf16, a_e5m2, b_e5m2;
  // The fold streaming (or, in PRELOAD, about to), and the one after it.
  logic [31:0] k0, n0, next_k0, next_n0;
  logic sel, last_fold;
  logic [31:0] gap, slot_end;

  assign last_fold = k0 + R >= k_size && n0 + C >= n_size;
  assign next_k0 = k0 + R >= k_size ? 0 : k0 + R;
  assign next_n0 = k0 + R >= k_size ? n0 + C : n0;
  // Two buffers: the next fold streams after the later of its weights and
  // this fold's rows, and a BF16 fold continuing this one's sums R cycles
  // after it at the earliest.
  always_comb begin
    gap = P > m_size ? P : m_size;
    if (bf16 && next_k0 != 0 && R > gap) gap = R;
    slot_end = WB == 2 && !last_fold ? gap - 1 : m_size + R + C - 3;
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      state <= IDLE;
      j <= 0;
    end else begin
      case (state)
        IDLE:
          if (start) begin
            m_size <= {16'b0, cmd_m};
            n_size <= {16'b0, cmd_n};
            k_size <= {16'b0, cmd_k};
            bf16 <= cmd_bf16;
            a_e5m2 <= cmd_a_e5m2;
            b_e5m2 <= cmd_b_e5m2;
            k0 <= 0;
            n0 <= 0;
            sel <= 1'b0;
            j <= 0;
            state <= PRELOAD;
          end
        PRELOAD:
          if (j == P - 1) begin
            j <= 0;
            state <= STREAM;
          end else begin
            j <= j + 1;
          end
        STREAM:
          if (j == slot_end) begin
            j <= 0;
            k0 <= next_k0;
            n0 <= next_n0;
            if (last_fold) state <= IDLE;
            else if (WB == 1) state <= PRELOAD;
            else sel <= !sel;
          end else begin
            j <= j + 1;
          end
        default: state <= IDLE;
      endcase
    end
  end
  assign busy = state != IDLE;

  // ---- Weight reads ----

  // In PRELOAD the streaming fold's weights; with two buffers, while a fold
  // streams, the next fold's, into the other registers.
  logic [31:0] pre_k0;
  logic pre_sel;
  assign w_req = state == PRELOAD || (WB == 2 && state == STREAM && !last_fold && j < P);
  assign pre_k0 = state == PRELOAD ? k0 : next_k0;
  assign pre_sel = state == PRELOAD ? sel : !sel;
  assign w_k0 = pre_k0;
  assign w_row0 = j * PR;
  assign w_n0 = state == PRELOAD ? n0 : next_n0;

  // ---- A reads and the fold's block bookkeeping ----

  assign a_req = state == STREAM && j < m_size;
  assign a_m = j;
  assign a_k0 = k0;

  // The fold's K range [k0, k_end) touches blocks k0/128 .. (k_end-1)/128.
  logic [31:0] k_end, last_k;
  logic [NBW-1:0] nb;
  logic merge, last_done;
  assign k_end = k0 + R < k_size ? k0 + R : k_size;
  assign last_k = k_end - 1;
  assign nb = NBW'((last_k >> 7) - (k0 >> 7));
  assign merge = k0[6:0] != 0;
  assign last_done = k_end[6:0] == 0 || k_end == k_size;

  // What a row carries to the top of the columns (BF16 reads) and to the
  // accumulator stages: {valid, m, n0, weight registers, nb, merge, last_done, A scales}.
  localparam int TOP_W = 1 + 32 + 32;
  localparam int BOT_W = 1 + 32 + 32 + 1 + NBW + 2 + LANES * 32;
  logic [TOP_W-1:0] top_token;
  logic [BOT_W-1:0] bot_token;
  assign top_token = {a_req && bf16, j, n0};
  assign bot_token = {a_req, j, n0, sel, nb, merge, last_done, a_scales};

  // ---- The array ----

  for (genvar r = 0; r < R; r++) begin : rows
    // Array row r's weights arrive with row group r / PR; with two buffers
    // they are written along the wavefront, r + c cycles after their group's
    // read began.
    localparam int GROUP = r / PR;
    localparam int WAVE = WB == 1 ? 0 : r - GROUP;
    logic row_we, valid, block_start;
    logic [31:0] k;
    assign row_we = w_req && j == GROUP;
    assign k = pre_k0 + r;
    assign valid = k < k_size;
    assign block_start = k[6:0] == 0 && r != 0;

    // A's element r, r cycles late, with the weight registers of its fold.
    logic [16:0] a_skewed;
    cadre_delay #(.W(17), .D(r)) skew (.clk(clk), .rst(rst), .in({a_data[r*16 +: 16], sel}), .out(a_skewed));

    for (genvar c = 0; c < C; c++) begin : cols
      logic [19:0] w_write;  // {we, sel, valid, starts a block, weight}
      cadre_delay #(.W(20), .D(WAVE + (WB == 1 ? 0 : c))) wave (
          .clk(clk), .rst(rst),
          .in({row_we, pre_sel, valid, block_start, w_data[((r - GROUP * PR) * C + c) * 16 +: 16]}),
          .out(w_write));

      logic [15:0] a_in, a_out;
      logic sel_in, sel_out;
      logic [LANES*LW-1:0] psum_in, psum_out, psum_q;
      if (c == 0) begin : from_skew
        assign {a_in, sel_in} = a_skewed;
      end else begin : from_left
        assign a_in = rows[r].cols[c-1].a_out;
        assign sel_in = rows[r].cols[c-1].sel_out;
      end
      if (r == 0) begin : from_top
        // BF16 sums start from the accumulator's value; FP8 lanes from zero.
        assign psum_in = {{LANES * LW - 32{1'b0}}, bf16 ? top_acc[c*32 +: 32] : 32'b0};
      end else begin : from_above
        assign psum_in = rows[r-1].cols[c].psum_q;
      end
      cadre_pe #(.LANES(LANES), .WEIGHT_BUFFERS(WB)) pe (
          .clk(clk), .bf16(bf16), .a_e5m2(a_e5m2), .b_e5m2(b_e5m2),
          .a_in(a_in), .sel_in(sel_in), .a_out(a_out), .sel_out(sel_out),
          .psum_in(psum_in), .psum_out(psum_out),
          .w_we(w_write[19]), .w_sel(w_write[18]), .w_data(w_write[17:0]));
      if (c == C - 1) begin : right_edge
        logic unused_a;  // the activations leave the array here
        assign unused_a = ^{a_out, sel_out};
      end
      if (r < R - 1) begin : psum_register
        always_ff @(posedge clk) psum_q <= psum_out;
      end else begin : to_accumulator
        assign psum_q = psum_out;
      end
    end
  end

  // ---- Top of the columns: where BF16 sums enter ----

  for (genvar c = 0; c < C; c++) begin : tops
    logic [TOP_W-1:0] token;
    if (c == 0) begin : first
      assign token = top_token;
    end else begin : next
      always_ff @(posedge clk) token <= rst ? '0 : tops[c-1].token;
    end
    logic valid;
    logic [31:0] m, n;
    assign {valid, m, n} = token;
    assign top_req[c] = valid && n + c < n_size;
    assign top_m[c*32 +: 32] = m;
    assign top_n[c*32 +: 32] = n + c;
  end

  // ---- Accumulator stages below the columns ----

  // The weight scales of a fold travel with array row R - 1's weights.
  localparam int LAST_WAVE = WB == 1 ? 0 : R - 1 - (R - 1) / PR;
  logic scales_we;
  assign scales_we = w_req && j == (R - 1) / PR;

  logic [BOT_W-1:0] bottom_in;
  cadre_delay #(.W(BOT_W), .D(R - 1)) down (.clk(clk), .rst(rst), .in(bot_token), .out(bottom_in));

  for (genvar c = 0; c < C; c++) begin : bottoms
    logic [BOT_W-1:0] token;
    if (c == 0) begin : first
      assign token = bottom_in;
    end else begin : next
      always_ff @(posedge clk) token <= rst ? '0 : bottoms[c-1].token;
    end
    logic valid, token_sel, token_merge, token_last_done;
    logic [31:0] m, n;
    logic [NBW-1:0] token_nb;
    logic [LANES*32-1:0] sa;
    assign {valid, m, n, token_sel, token_nb, token_merge, token_last_done, sa} = token;
    assign bot_req[c] = valid && n + c < n_size;
    assign bot_m[c*32 +: 32] = m;
    assign bot_n[c*32 +: 32] = n + c;

    // This column's weight scales, one set per weight register.
    logic [1 + 1 + LANES*32-1:0] scale_write;  // {we, sel, scales}
    cadre_delay #(.W(2 + LANES * 32), .D(LAST_WAVE + (WB == 1 ? 0 : c))) wave (
        .clk(clk), .rst(rst), .in({scales_we, pre_sel, w_scales[c*LANES*32 +: LANES*32]}), .out(scale_write));
    logic [LANES*32-1:0] sb;
    if (WB == 1) begin : one_buffer
      logic unused_sel;
      assign unused_sel = token_sel ^ scale_write[LANES*32];
      always_ff @(posedge clk) if (scale_write[LANES*32+1]) sb <= scale_write[LANES*32-1:0];
    end else begin : two_buffers
      logic [LANES*32-1:0] sb0, sb1;
      always_ff @(posedge clk) begin
        if (scale_write[LANES*32+1] && !scale_write[LANES*32]) sb0 <= scale_write[LANES*32-1:0];
        if (scale_write[LANES*32+1] && scale_write[LANES*32]) sb1 <= scale_write[LANES*32-1:0];
      end
      assign sb = token_sel ? sb1 : sb0;
    end

    cadre_acc_stage #(.LANES(LANES)) stage (
        .bf16(bf16), .lanes(rows[R-1].cols[c].psum_q), .nb(token_nb), .merge(token_merge),
        .last_done(token_last_done), .sa(sa), .sb(sb),
        .acc_in(bot_acc[c*32 +: 32]), .carry_in(bot_carry[c*LW +: LW]),
        .acc_out(bot_acc_out[c*32 +: 32]), .carry_out(bot_carry_out[c*LW +: LW]));
  end
endmodule

// Float multiply (E, M), pipelined: the hardware twin of fp_mul() (src/hardware/soft_float.cpp).
// Subnormal inputs read as zero; NaN results are the canonical quiet NaN. y is the product of
// the operands of LAT cycles before:
//   1  significand product (the DSP's pipeline register), sign, exponent, special cases
//   2  normalisation: the product of two normal significands lies in [2^2M, 2^(2M+2)), so it is
//      a one-bit shift; guard and sticky bits
//   3  round to nearest even, pack
module dysta_fp_mul #(
    parameter int E = 8,
    parameter int M = 23
) (
    input  logic         clk,
    input  logic [E+M:0] a,
    input  logic [E+M:0] b,
    output logic [E+M:0] y
);
  localparam int XW = E + 4;
  localparam int BIAS = (1 << (E - 1)) - 1;
  localparam logic [E-1:0] EMAX = {E{1'b1}};
  localparam logic [E+M:0] QNAN = {1'b0, EMAX, 1'b1, {(M - 1) {1'b0}}};

  logic sign, a_inf, b_inf, a_nan, b_nan, a_zero, b_zero, special;
  logic [E+M:0] special_y;
  assign sign = a[E+M] ^ b[E+M];
  assign a_inf = a[E+M-1:M] == EMAX && a[M-1:0] == '0;
  assign b_inf = b[E+M-1:M] == EMAX && b[M-1:0] == '0;
  assign a_nan = a[E+M-1:M] == EMAX && a[M-1:0] != '0;
  assign b_nan = b[E+M-1:M] == EMAX && b[M-1:0] != '0;
  assign a_zero = a[E+M-1:M] == '0;
  assign b_zero = b[E+M-1:M] == '0;
  assign special = a_nan || b_nan || a_inf || b_inf || a_zero || b_zero;
  always_comb begin
    if (a_nan || b_nan || (a_inf && b_zero) || (b_inf && a_zero)) special_y = QNAN;
    else if (a_inf || b_inf) special_y = {sign, EMAX, {M{1'b0}}};
    else special_y = {sign, {(E + M) {1'b0}}};
  end

  // Stage 1.
  logic [2*M+1:0] p1;
  logic s1, sp1;
  logic [E+M:0] spy1;
  logic signed [XW-1:0] u1;  // value = p1 x 2^(u1 - 2 BIAS - 2M)
  always_ff @(posedge clk) begin
    p1 <= {1'b1, a[M-1:0]} * {1'b1, b[M-1:0]};
    s1 <= sign;
    sp1 <= special;
    spy1 <= special_y;
    u1 <= $signed(XW'(a[E+M-1:M])) + $signed(XW'(b[E+M-1:M]));
  end

  // Stage 2: leading one at 2M+1 (hi) or 2M; biased exponent u1 - 2 BIAS - 2M + lead + BIAS.
  logic hi;
  assign hi = p1[2*M+1];
  logic [M:0] k2;
  logic g2, t2, s2, sp2;
  logic [E+M:0] spy2;
  logic signed [XW-1:0] x2;
  always_ff @(posedge clk) begin
    k2 <= hi ? p1[2*M+1-:M+1] : p1[2*M-:M+1];
    g2 <= hi ? p1[M] : p1[M-1];
    t2 <= hi ? |p1[M-1:0] : |p1[M-2:0];
    x2 <= u1 - XW'(BIAS) + $signed(XW'(hi));
    s2 <= s1;
    sp2 <= sp1;
    spy2 <= spy1;
  end

  // Stage 3.
  logic [E+M:0] packed_y;
  dysta_fp_pack #(.E(E), .M(M), .XW(XW)) u_pack (
      .sign(s2), .kept(k2), .guard(g2), .sticky(t2), .exp_pre(x2), .zero(1'b0), .y(packed_y));
  always_ff @(posedge clk) y <= sp2 ? spy2 : packed_y;
endmodule

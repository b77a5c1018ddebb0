// Float add (E, M), pipelined: the hardware twin of fp_add() (src/hardware/soft_float.cpp). The
// smaller operand is aligned into an exact frame K = M + 5 bits below the larger one's fraction;
// shifted further, it lies below an eighth of the result's ulp and is replaced by one frame unit,
// which rounds the same. Subnormal inputs read as zero; x - x = +0. y is the sum of the operands
// of LAT = 5 cycles before:
//   1  magnitude compare and swap, exponent difference, special cases
//   2  alignment shift of the smaller significand
//   3  significand add or subtract
//   4  normalisation (leading-one search and shift), guard and sticky bits
//   5  round to nearest even, pack
module dysta_fp_add #(
    parameter int E = 8,
    parameter int M = 23
) (
    input  logic         clk,
    input  logic [E+M:0] a,
    input  logic [E+M:0] b,
    output logic [E+M:0] y
);
  localparam int K = M + 5;
  localparam int SW = M + K + 2;  // sum width: M+1 significant bits, K frame bits, one carry
  localparam int XW = E + 4;
  localparam int BIAS = (1 << (E - 1)) - 1;
  localparam logic [E-1:0] EMAX = {E{1'b1}};
  localparam logic [E+M:0] QNAN = {1'b0, EMAX, 1'b1, {(M - 1) {1'b0}}};

  // Special cases, decided on the operands; the pipeline carries them to the output.
  logic a_inf, b_inf, a_nan, b_nan, a_zero, b_zero, swap, special;
  logic [E+M:0] special_y, x, z;  // |x| >= |z|
  assign a_inf = a[E+M-1:M] == EMAX && a[M-1:0] == '0;
  assign b_inf = b[E+M-1:M] == EMAX && b[M-1:0] == '0;
  assign a_nan = a[E+M-1:M] == EMAX && a[M-1:0] != '0;
  assign b_nan = b[E+M-1:M] == EMAX && b[M-1:0] != '0;
  assign a_zero = a[E+M-1:M] == '0;
  assign b_zero = b[E+M-1:M] == '0;
  assign special = a_nan || b_nan || a_inf || b_inf || a_zero || b_zero;
  always_comb begin
    if (a_nan || b_nan || (a_inf && b_inf && a[E+M] != b[E+M])) special_y = QNAN;
    else if (a_inf) special_y = {a[E+M], EMAX, {M{1'b0}}};
    else if (b_inf) special_y = {b[E+M], EMAX, {M{1'b0}}};
    else if (a_zero && b_zero) special_y = {a[E+M] & b[E+M], {(E + M) {1'b0}}};
    else if (a_zero) special_y = b;
    else special_y = a;
  end
  assign swap = b[E+M-1:0] > a[E+M-1:0];  // magnitude order = (exponent, fraction) order
  assign x = swap ? b : a;
  assign z = swap ? a : b;

  // Stage 1.
  logic s1, sub1, sp1, far1;
  logic [E+M:0] spy1;
  logic [E-1:0] xe1, sh1;
  logic [M-1:0] xf1, zf1;
  always_ff @(posedge clk) begin
    s1 <= x[E+M];
    sub1 <= x[E+M] != z[E+M];
    sp1 <= special;
    spy1 <= special_y;
    xe1 <= x[E+M-1:M];
    xf1 <= x[M-1:0];
    zf1 <= z[M-1:0];
    far1 <= x[E+M-1:M] - z[E+M-1:M] > E'(K);
    sh1 <= E'(K) - (x[E+M-1:M] - z[E+M-1:M]);  // used when !far1
  end

  // Stage 2.
  logic s2, sub2, sp2;
  logic [E+M:0] spy2;
  logic [E-1:0] xe2;
  logic [M-1:0] xf2;
  logic [SW-1:0] mz2;
  always_ff @(posedge clk) begin
    mz2 <= far1 ? SW'(1) : SW'({1'b1, zf1}) << sh1;
    s2 <= s1;
    sub2 <= sub1;
    sp2 <= sp1;
    spy2 <= spy1;
    xe2 <= xe1;
    xf2 <= xf1;
  end

  // Stage 3.
  logic [SW-1:0] mx2;
  assign mx2 = SW'({1'b1, xf2}) << K;
  logic s3, sp3;
  logic [E+M:0] spy3;
  logic [SW-1:0] sum3;
  logic signed [XW-1:0] u3;
  always_ff @(posedge clk) begin
    sum3 <= sub2 ? mx2 - mz2 : mx2 + mz2;
    u3 <= $signed(XW'(xe2)) - XW'(BIAS + M + K);
    s3 <= s2;
    sp3 <= sp2;
    spy3 <= spy2;
  end

  // Stage 4.
  logic [M:0] kept, k4;
  logic guard, sticky, zero, g4, t4, z4, s4, sp4;
  logic [E+M:0] spy4;
  logic signed [XW-1:0] exp_pre, x4;
  dysta_fp_norm #(.E(E), .M(M), .IN_W(SW), .XW(XW)) u_norm (
      .unit_exp(u3), .mag(sum3), .kept, .guard, .sticky, .exp_pre, .zero);
  always_ff @(posedge clk) begin
    k4 <= kept;
    g4 <= guard;
    t4 <= sticky;
    x4 <= exp_pre;
    z4 <= zero;
    s4 <= s3;
    sp4 <= sp3;
    spy4 <= spy3;
  end

  // Stage 5: exact cancellation gives +0.
  logic [E+M:0] packed_y;
  dysta_fp_pack #(.E(E), .M(M), .XW(XW)) u_pack (
      .sign(s4 && !z4), .kept(k4), .guard(g4), .sticky(t4), .exp_pre(x4), .zero(z4),
      .y(packed_y));
  always_ff @(posedge clk) y <= sp4 ? spy4 : packed_y;
endmodule

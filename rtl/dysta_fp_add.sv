// Float add (E, M): the hardware twin of fp_add() (src/hardware/soft_float.cpp). The smaller
// operand is aligned into an exact frame K = M + 5 bits below the larger one's fraction; shifted
// further, it lies below an eighth of the result's ulp and is replaced by one frame unit, which
// rounds the same. Subnormal inputs read as zero; x - x = +0. Combinational.
module dysta_fp_add #(
    parameter int E = 8,
    parameter int M = 23
) (
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

  logic a_inf, b_inf, a_nan, b_nan, a_zero, b_zero, swap;
  logic [E+M:0] x, z;  // |x| >= |z|
  logic [E-1:0] d;
  logic [SW-1:0] mx, mz, sum;
  logic signed [XW-1:0] unit;
  logic [E+M:0] rounded;

  assign a_inf = a[E+M-1:M] == EMAX && a[M-1:0] == '0;
  assign b_inf = b[E+M-1:M] == EMAX && b[M-1:0] == '0;
  assign a_nan = a[E+M-1:M] == EMAX && a[M-1:0] != '0;
  assign b_nan = b[E+M-1:M] == EMAX && b[M-1:0] != '0;
  assign a_zero = a[E+M-1:M] == '0;
  assign b_zero = b[E+M-1:M] == '0;
  assign swap = b[E+M-1:0] > a[E+M-1:0];  // magnitude order = (exponent, fraction) order
  assign x = swap ? b : a;
  assign z = swap ? a : b;
  assign d = x[E+M-1:M] - z[E+M-1:M];
  assign mx = SW'({1'b1, x[M-1:0]}) << K;
  assign mz = (d <= E'(K)) ? (SW'({1'b1, z[M-1:0]}) << (E'(K) - d)) : SW'(1);
  assign sum = (x[E+M] == z[E+M]) ? mx + mz : mx - mz;
  assign unit = $signed(XW'(x[E+M-1:M])) - XW'(BIAS + M + K);

  dysta_fp_round #(.E(E), .M(M), .IN_W(SW), .XW(XW)) u_round (
      .sign(x[E+M]), .unit_exp(unit), .mag(sum), .y(rounded));

  always_comb begin
    if (a_nan || b_nan || (a_inf && b_inf && a[E+M] != b[E+M])) y = QNAN;
    else if (a_inf) y = {a[E+M], EMAX, {M{1'b0}}};
    else if (b_inf) y = {b[E+M], EMAX, {M{1'b0}}};
    else if (a_zero && b_zero) y = {a[E+M] & b[E+M], {(E + M) {1'b0}}};
    else if (a_zero) y = b;
    else if (b_zero) y = a;
    else if (sum == '0) y = '0;
    else y = rounded;
  end
endmodule

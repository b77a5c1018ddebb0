// Float multiply (E, M): the hardware twin of fp_mul() (src/hardware/soft_float.cpp). Subnormal
// inputs read as zero; NaN results are the canonical quiet NaN. Combinational.
module dysta_fp_mul #(
    parameter int E = 8,
    parameter int M = 23
) (
    input  logic [E+M:0] a,
    input  logic [E+M:0] b,
    output logic [E+M:0] y
);
  localparam int XW = E + 4;
  localparam int BIAS = (1 << (E - 1)) - 1;
  localparam logic [E-1:0] EMAX = {E{1'b1}};
  localparam logic [E+M:0] QNAN = {1'b0, EMAX, 1'b1, {(M - 1) {1'b0}}};

  logic sign, a_inf, b_inf, a_nan, b_nan, a_zero, b_zero;
  logic [2*M+1:0] prod;
  logic signed [XW-1:0] unit;
  logic [E+M:0] rounded;

  assign sign = a[E+M] ^ b[E+M];
  assign a_inf = a[E+M-1:M] == EMAX && a[M-1:0] == '0;
  assign b_inf = b[E+M-1:M] == EMAX && b[M-1:0] == '0;
  assign a_nan = a[E+M-1:M] == EMAX && a[M-1:0] != '0;
  assign b_nan = b[E+M-1:M] == EMAX && b[M-1:0] != '0;
  assign a_zero = a[E+M-1:M] == '0;
  assign b_zero = b[E+M-1:M] == '0;
  assign prod = {1'b1, a[M-1:0]} * {1'b1, b[M-1:0]};
  // value = prod x 2^(ea + eb - 2 BIAS - 2M)
  assign unit = $signed(XW'(a[E+M-1:M])) + $signed(XW'(b[E+M-1:M])) - XW'(2 * BIAS + 2 * M);

  dysta_fp_round #(.E(E), .M(M), .IN_W(2 * M + 2), .XW(XW)) u_round (
      .sign(sign), .unit_exp(unit), .mag(prod), .y(rounded));

  always_comb begin
    if (a_nan || b_nan || (a_inf && b_zero) || (b_inf && a_zero)) y = QNAN;
    else if (a_inf || b_inf) y = {sign, EMAX, {M{1'b0}}};
    else if (a_zero || b_zero) y = {sign, {(E + M) {1'b0}}};
    else y = rounded;
  end
endmodule

// Second half of rounding: round to nearest, ties to even, then pack; below the normal range the
// result flushes to a zero of the given sign, at or above it becomes infinity. Combinational.
module dysta_fp_pack #(
    parameter int E = 8,
    parameter int M = 23,
    parameter int XW = 12
) (
    input  logic                 sign,
    input  logic [M:0]           kept,
    input  logic                 guard,
    input  logic                 sticky,
    input  logic signed [XW-1:0] exp_pre,
    input  logic                 zero,
    output logic [E+M:0]         y
);
  localparam int EXP_MAX = (1 << E) - 1;
  logic up;
  logic [M+1:0] rounded;
  logic signed [XW-1:0] exp_b;
  always_comb begin
    up = guard && (sticky || kept[0]);
    rounded = {1'b0, kept} + (M + 2)'(up);
    exp_b = exp_pre + $signed(XW'(rounded[M+1]));
    if (zero) y = {sign, {(E + M) {1'b0}}};
    else if (exp_b >= XW'(EXP_MAX)) y = {sign, E'(EXP_MAX), {M{1'b0}}};
    else if (exp_b <= XW'(0)) y = {sign, {(E + M) {1'b0}}};
    else y = {sign, exp_b[E-1:0], rounded[M+1] ? rounded[M:1] : rounded[M-1:0]};
  end
endmodule

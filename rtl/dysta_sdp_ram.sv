// Simple dual-port RAM: one write port, one read port with the block RAM's output register, so
// read data appear LAT = 2 cycles after the address. A read issued in the cycle of a write to the
// same address returns the old contents; one issued a cycle later returns the new ones. No reset:
// Yosys maps it to block or distributed RAM.
module dysta_sdp_ram #(
    parameter int W = 32,
    parameter int AW = 10
) (
    input  logic          clk,
    input  logic          we,
    input  logic [AW-1:0] waddr,
    input  logic [W-1:0]  wdata,
    input  logic [AW-1:0] raddr,
    output logic [W-1:0]  rdata
);
  logic [W-1:0] mem[1 << AW]  /*verilator public_flat_rd*/;
  logic [W-1:0] rd1;
  always_ff @(posedge clk) begin
    if (we) mem[waddr] <= wdata;
    rd1 <= mem[raddr];
    rdata <= rd1;
  end
endmodule

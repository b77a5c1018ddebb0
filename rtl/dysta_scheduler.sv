// Dysta hardware scheduler (spec H; design, protocol and H.7 fixes in docs/hardware.md). Bit- and
// cycle-exact twin of the C++ model include/dysta/hardware/scheduler_model.h, against which it is
// co-simulated (rtl/tb/cosim_main.cpp).
//
// FSM (one round per accelerator layer):
//   IDLE   host commands accepted; leaves at the first cycle without a command when the queue is
//          non-empty, snapshotting now = sys_clk.
//   SCORE  issues the N queued requests, one per cycle, into the T_S-stage score pipeline; keeps
//          the first strictly smallest score; then latches npu_task/slot/layer (N + T_S + 1
//          cycles).
//   START  npu_start for one cycle.
//   EXE    host commands accepted; counts non-zero output words; npu_done ends it.
//   RATE   last_exec = done cycle, layer + 1 (saturating), gamma from the non-zero count and the
//          tables as they are after the npu_done cycle's command (RC_END + 1 cycles).
//   REMOVE after the request's last layer: closes the gap in the queue, keeping push order
//          (N - pos + 1 cycles).
// Every RAM has a registered output (2-cycle reads); every float unit is pipelined (dysta_fp_*).
// Host commands: codes and data fields as in scheduler_model.h (HostCommand).
module dysta_scheduler #(
    parameter int QUEUE_BITS = 9,  // REQST_DEPTH: 2^QUEUE_BITS requests
    parameter int SLOT_BITS = 5,   // (model, pattern) slots
    parameter int LAYER_BITS = 6,  // layers per slot
    parameter int SCORE_W = 32,    // 32: FP32 scores + Q13.18 time; 16: FP16 + Q7.8
    parameter int SHARED = 1,      // COMPUTE_OPT: rate step borrows two score multipliers
    parameter int NNZ_W = 24,      // non-zero counter width
    parameter int TIME_W = 48,     // sys_clk, deadline and last-execution width (cycles)
    parameter int X_DIM = 3,       // accelerator output words per beat
    parameter int DATA_W = 16      // accelerator output word width
) (
    input logic clk,
    input logic rst,  // synchronous, active high

    // Host command port (valid/ready: a command is taken in a cycle with both high).
    input  logic                host_cmd_valid,
    input  logic [         3:0] host_cmd_code,
    input  logic [        47:0] host_cmd_data,
    output logic                host_cmd_ready,
    output logic [         2:0] host_err,
    output logic [QUEUE_BITS:0] queue_len,

    // Accelerator port (a stand-in drives it in simulation).
    output logic                    npu_start,
    output logic [  QUEUE_BITS-1:0] npu_task,   // valid from npu_start to the next npu_start
    output logic [   SLOT_BITS-1:0] npu_slot,
    output logic [  LAYER_BITS-1:0] npu_layer,
    input  logic                    npu_vld,
    input  logic [X_DIM*DATA_W-1:0] npu_dat,
    input  logic                    npu_done,
    input  logic                    npu_last,
    output logic                    out_vld,    // npu_vld/npu_dat registered once (to memory)
    output logic [X_DIM*DATA_W-1:0] out_dat
);
  localparam int DEPTH = 1 << QUEUE_BITS;
  localparam int E = SCORE_W == 32 ? 8 : 5;
  localparam int M = SCORE_W == 32 ? 23 : 10;
  localparam int QW = SCORE_W;
  localparam int QF = SCORE_W == 32 ? 18 : 8;
  localparam int SW = SCORE_W;
  localparam int LUT_AW = SLOT_BITS + LAYER_BITS;
  localparam int QB = QUEUE_BITS;
  localparam logic [SW-1:0] FP_ONE = {2'b00, {(E - 1) {1'b1}}, {M{1'b0}}};
  localparam logic [SW-1:0] BETA_RESET = SCORE_W == 32 ? SW'(32'h3C23D70A) : SW'(16'h211F);
  localparam logic signed [TIME_W:0] Q_MAX = (TIME_W + 1)'((64'd1 << (QW - 1)) - 1);
  localparam logic signed [TIME_W:0] Q_MIN = -(TIME_W + 1)'(64'd1 << (QW - 1));

  // Latencies (cycles): RAM read, float multiply, float add, fixed-to-float conversion.
  localparam int RL = 2;
`ifdef DYSTA_BMC
  // Bounded model checking abstracts the datapath (the score is a free value), so the float
  // latencies are cut to one cycle to shorten a round; the control is the same, with the shorter
  // schedule constants below. The co-simulation checks the real latencies.
  localparam int LM = 1, LA = 1, LC = 1;
`else
  localparam int LM = 3, LA = 5, LC = 3;
`endif
  // Score pipeline schedule, in cycles after a request's issue (its queue-RAM read):
  localparam int T_ID = RL;           // request id out of the queue RAM
  localparam int T_REQ = T_ID + RL;   // slot, layer, deadline, last_exec, gamma out
  localparam int T_OPS = T_REQ + RL;  // rest, inv_iso out; Q time differences (2 stages) ready
  localparam int T_R = T_OPS + LM;    // R = gamma x rest; float(slack), float(wait) (LC = LM)
  localparam int T_P1 = T_R + LM;     // wait x inv_iso
  /* verilator lint_off UNUSEDPARAM */
  localparam int T_U = T_R + LA;      // float(slack) - R; clamped one cycle later, at T_P
  /* verilator lint_on UNUSEDPARAM */
  localparam int T_P = T_P1 + LM;     // x recip[N-1]; U clamped at 0 one cycle after T_U
  localparam int T_C = T_P + LA;      // U + P
  localparam int T_BC = T_C + LM;     // beta x (U + P)
  localparam int T_S = T_BC + LA;     // score = R + beta x (U + P); compared in this cycle
  // Rate step schedule, in RATE cycles (rc): tables read at 0, out at RL; float(nnz) at LC.
  localparam int RC_M1 = (RL + 1 > LC) ? RL + 1 : LC;  // nnz x inv_out issued
  localparam int RC_M2 = RC_M1 + LM;  // x inv_density issued
  localparam int RC_END = RC_M2 + LM;  // gamma written; RATE lasts RC_END + 1 cycles
  localparam int SCW = QB + 6;  // SCORE cycle counter width (counts to DEPTH + T_S)

  typedef enum logic [2:0] {
    S_IDLE = 3'd0,
    S_SCORE = 3'd1,
    S_START = 3'd2,
    S_EXE = 3'd3,
    S_RATE = 3'd4,
    S_REMOVE = 3'd5
  } state_t;

  localparam logic [3:0] C_NOP = 4'h0, C_REST = 4'h1, C_DENS = 4'h2, C_OUT = 4'h3, C_ISO = 4'h4,
      C_RECIP = 4'h5, C_BETA = 4'h6, C_SHIFT = 4'h7, C_DEADLINE = 4'h8, C_ARRIVAL = 4'h9,
      C_PUSH = 4'hA, C_CLEAR = 4'hB;

  state_t st  /*verilator public_flat_rd*/;
  logic [TIME_W-1:0] sys_clk  /*verilator public_flat_rw*/;  // rw: test-bench time offset
  logic [TIME_W-1:0] now_snap, done_clk;
  logic [QB:0] num  /*verilator public_flat_rd*/;
  logic [5:0] time_shift  /*verilator public_flat_rd*/;
  logic [SW-1:0] beta  /*verilator public_flat_rd*/;
  logic [TIME_W-1:0] staged_deadline  /*verilator public_flat_rd*/;
  logic [TIME_W-1:0] staged_arrival  /*verilator public_flat_rd*/;
  logic [2:0] err;
  logic [DEPTH-1:0] queued  /*verilator public_flat_rd*/;

  // ---------------------------------------------------------------- host command decode
  logic acc, push_ok;
  logic [SW-1:0] f_val;
  logic [SLOT_BITS-1:0] f_slot;
  logic [LAYER_BITS-1:0] f_layer;
  logic [QB-1:0] f_id, f_ridx;
  assign host_cmd_ready = st == S_IDLE || st == S_EXE;
  assign acc = host_cmd_valid && host_cmd_ready;
  assign f_val = host_cmd_data[SW-1:0];
  assign f_layer = host_cmd_data[32+:LAYER_BITS];
  assign f_slot = host_cmd_data[40+:SLOT_BITS];
  assign f_id = host_cmd_data[0+:QB];
  assign f_ridx = host_cmd_data[32+:QB];
  assign push_ok = acc && host_cmd_code == C_PUSH && num != (QB + 1)'(DEPTH) && !queued[f_id];
  assign host_err = err;
  assign queue_len = num;

  // ---------------------------------------------------------------- memories
  // Queue of request ids in push order.
  logic q_we;
  logic [QB-1:0] q_waddr, q_wdata, q_raddr, q_rdata;
  dysta_sdp_ram #(.W(QB), .AW(QB)) u_queue (
      .clk, .we(q_we), .waddr(q_waddr), .wdata(q_wdata), .raddr(q_raddr), .rdata(q_rdata));

  // Per-request registers, indexed by request id.
  logic [QB-1:0] req_raddr;
  logic layer_we, le_we, gamma_we, score_we;
  logic [QB-1:0] layer_wa, le_wa, gamma_wa, score_wa;
  logic [LAYER_BITS-1:0] layer_wd, layer_rd;
  logic [SLOT_BITS-1:0] slot_rd;
  logic [TIME_W-1:0] le_wd, dl_rd, le_rd;
  logic [SW-1:0] gamma_wd, score_wd, gamma_rd, score_rd_unused;
  dysta_sdp_ram #(.W(SLOT_BITS), .AW(QB)) u_slot (
      .clk, .we(push_ok), .waddr(f_id), .wdata(f_slot), .raddr(req_raddr), .rdata(slot_rd));
  dysta_sdp_ram #(.W(LAYER_BITS), .AW(QB)) u_layer (
      .clk, .we(layer_we), .waddr(layer_wa), .wdata(layer_wd), .raddr(req_raddr),
      .rdata(layer_rd));
  dysta_sdp_ram #(.W(TIME_W), .AW(QB)) u_deadline (
      .clk, .we(push_ok), .waddr(f_id), .wdata(staged_deadline), .raddr(req_raddr),
      .rdata(dl_rd));
  dysta_sdp_ram #(.W(TIME_W), .AW(QB)) u_last_exec (
      .clk, .we(le_we), .waddr(le_wa), .wdata(le_wd), .raddr(req_raddr), .rdata(le_rd));
  dysta_sdp_ram #(.W(SW), .AW(QB)) u_gamma (
      .clk, .we(gamma_we), .waddr(gamma_wa), .wdata(gamma_wd), .raddr(req_raddr),
      .rdata(gamma_rd));
  // Scores are written for observation only (the comparison uses the pipeline's result).
  dysta_sdp_ram #(.W(SW), .AW(QB)) u_score (
      .clk, .we(score_we), .waddr(score_wa), .wdata(score_wd), .raddr(req_raddr),
      .rdata(score_rd_unused));

  // Static lookup tables, written by the host only.
  logic [LUT_AW-1:0] rest_raddr, rate_raddr;
  logic [SW-1:0] rest_rd, dens_rd, out_rd, iso_rd, recip_rd;
  logic [SLOT_BITS-1:0] iso_raddr;
  dysta_sdp_ram #(.W(SW), .AW(LUT_AW)) u_rest (
      .clk, .we(acc && host_cmd_code == C_REST), .waddr({f_slot, f_layer}), .wdata(f_val),
      .raddr(rest_raddr), .rdata(rest_rd));
  dysta_sdp_ram #(.W(SW), .AW(LUT_AW)) u_inv_density (
      .clk, .we(acc && host_cmd_code == C_DENS), .waddr({f_slot, f_layer}), .wdata(f_val),
      .raddr(rate_raddr), .rdata(dens_rd));
  dysta_sdp_ram #(.W(SW), .AW(LUT_AW)) u_inv_outputs (
      .clk, .we(acc && host_cmd_code == C_OUT), .waddr({f_slot, f_layer}), .wdata(f_val),
      .raddr(rate_raddr), .rdata(out_rd));
  dysta_sdp_ram #(.W(SW), .AW(SLOT_BITS)) u_inv_isolated (
      .clk, .we(acc && host_cmd_code == C_ISO), .waddr(f_slot), .wdata(f_val),
      .raddr(iso_raddr), .rdata(iso_rd));
  dysta_sdp_ram #(.W(SW), .AW(QB)) u_recip (
      .clk, .we(acc && host_cmd_code == C_RECIP), .waddr(f_ridx), .wdata(f_val),
      .raddr(QB'(num - 1'b1)), .rdata(recip_rd));

  // ---------------------------------------------------------------- FSM registers
  logic [SCW-1:0] sc;  // SCORE cycle counter
  logic best_valid  /*verilator public_flat_rd*/;
  logic [SW-1:0] best_key  /*verilator public_flat_rd*/;
  logic [QB-1:0] best_id  /*verilator public_flat_rd*/;
  logic [QB-1:0] best_pos  /*verilator public_flat_rd*/;
  logic [SLOT_BITS-1:0] best_slot;
  logic [LAYER_BITS-1:0] best_layer  /*verilator public_flat_rd*/;
  logic [NNZ_W-1:0] nnz, nnz_fin  /*verilator public_flat_rd*/;
  logic last_r;
  logic [3:0] rc;  // RATE cycle
  logic [QB-1:0] rm_k, rm_wa1, rm_wa2;
  logic rm_first, rm_pend1, rm_pend2;

  // ---------------------------------------------------------------- score pipeline
  logic issue;
  assign issue = st == S_SCORE && sc < SCW'(num);
  // vpipe[k]: the slot k cycles after its issue holds a queued request (only these count).
  logic [T_S:1] vpipe  /*verilator public_flat_rd*/;
  logic [QB-1:0] pos_s, id_s;
  logic [SLOT_BITS-1:0] sl_s;
  logic [LAYER_BITS-1:0] ly_s;
  dysta_delay #(.W(QB), .N(T_S)) u_d_pos (.clk, .d(QB'(sc)), .q(pos_s));
  dysta_delay #(.W(QB), .N(T_S - T_ID)) u_d_id (.clk, .d(q_rdata), .q(id_s));
  dysta_delay #(.W(SLOT_BITS + LAYER_BITS), .N(T_S - T_REQ)) u_d_sl (
      .clk, .d({slot_rd, layer_rd}), .q({sl_s, ly_s}));

  // T_REQ -> T_REQ + 1: time differences; T_REQ + 1 -> T_OPS: Q units, saturated
  // (Q(x) = floor(x / 2^time_shift)); the wait is clamped at 0.
  logic signed [TIME_W:0] slack_d  /*verilator public_flat_rd*/;
  logic signed [TIME_W:0] wait_d  /*verilator public_flat_rd*/;
  logic signed [TIME_W:0] slack_s, wait_s;
  logic signed [QW-1:0] slack_q, wait_q;
  always_comb begin
    slack_s = slack_d >>> time_shift;
    wait_s = wait_d >>> time_shift;
  end
  always_ff @(posedge clk) begin
    slack_d <= $signed({1'b0, dl_rd}) - $signed({1'b0, now_snap});
    wait_d <= $signed({1'b0, now_snap}) - $signed({1'b0, le_rd});
    if (slack_s > Q_MAX) slack_q <= QW'(Q_MAX);
    else if (slack_s < Q_MIN) slack_q <= QW'(Q_MIN);
    else slack_q <= QW'(slack_s);
    if (wait_s > Q_MAX) wait_q <= QW'(Q_MAX);
    else if (wait_s < 0) wait_q <= '0;  // max(0, wait)
    else wait_q <= QW'(wait_s);
  end

  logic [SW-1:0] gamma_o, iso_r;
  dysta_delay #(.W(SW), .N(T_OPS - T_REQ)) u_d_gamma (.clk, .d(gamma_rd), .q(gamma_o));
  dysta_delay #(.W(SW), .N(T_R - T_OPS)) u_d_iso (.clk, .d(iso_rd), .q(iso_r));

  // Arithmetic units. Multipliers A (gamma x rest) and B (wait x inv_iso) also serve the rate
  // step when SHARED (the score pipeline holds no valid slot then); otherwise it has its own two.
  logic [SW-1:0] mul_a_x, mul_a_y, mul_a_o, mul_b_x, mul_b_y, mul_b_o;
  logic [SW-1:0] r_r, sf_r, wf_r, r_s, p_p, c_c, bc_bc, score_s;
  logic [SW-1:0] u_u  /*verilator public_flat_rd*/;
  logic [SW-1:0] u_clamped;
  logic [SW-1:0] r_out, r_dens, rate_m1_o, rate_m2_o, nf_o;
  logic rate_on;
  assign rate_on = SHARED != 0 && st == S_RATE;
  assign mul_a_x = rate_on ? nf_o : gamma_o;
  assign mul_a_y = rate_on ? r_out : rest_rd;
  assign mul_b_x = rate_on ? rate_m1_o : wf_r;
  assign mul_b_y = rate_on ? r_dens : iso_r;
  assign r_r = mul_a_o;

  dysta_fp_mul #(.E(E), .M(M)) u_mul_a (.clk, .a(mul_a_x), .b(mul_a_y), .y(mul_a_o));
  dysta_fix2fp #(.E(E), .M(M), .W(QW), .F(QF), .SIGNED(1)) u_cv_slack (
      .clk, .x(slack_q), .y(sf_r));
  dysta_fix2fp #(.E(E), .M(M), .W(QW), .F(QF), .SIGNED(1)) u_cv_wait (.clk, .x(wait_q), .y(wf_r));
  dysta_fp_add #(.E(E), .M(M)) u_add_u (.clk, .a(sf_r), .b({~r_r[SW-1], r_r[SW-2:0]}), .y(u_u));
  dysta_fp_mul #(.E(E), .M(M)) u_mul_b (.clk, .a(mul_b_x), .b(mul_b_y), .y(mul_b_o));
  dysta_fp_mul #(.E(E), .M(M)) u_mul_p (.clk, .a(mul_b_o), .b(recip_rd), .y(p_p));
  always_ff @(posedge clk) u_clamped <= u_u[SW-1] ? '0 : u_u;  // max(0, U); NaN has sign 0
  dysta_fp_add #(.E(E), .M(M)) u_add_c (.clk, .a(u_clamped), .b(p_p), .y(c_c));
  dysta_fp_mul #(.E(E), .M(M)) u_mul_bc (.clk, .a(beta), .b(c_c), .y(bc_bc));
  dysta_delay #(.W(SW), .N(T_BC - T_R)) u_d_r (.clk, .d(r_r), .q(r_s));
  dysta_fp_add #(.E(E), .M(M)) u_add_s (.clk, .a(r_s), .b(bc_bc), .y(score_s));
  dysta_fix2fp #(.E(E), .M(M), .W(NNZ_W), .F(0), .SIGNED(0)) u_cv_nnz (
      .clk, .x(nnz_fin), .y(nf_o));

  generate
    if (SHARED != 0) begin : g_shared
      assign rate_m1_o = mul_a_o;
      assign rate_m2_o = mul_b_o;
    end else begin : g_separate
      dysta_fp_mul #(.E(E), .M(M)) u_mul_r1 (.clk, .a(nf_o), .b(r_out), .y(rate_m1_o));
      dysta_fp_mul #(.E(E), .M(M)) u_mul_r2 (.clk, .a(rate_m1_o), .b(r_dens), .y(rate_m2_o));
    end
  endgenerate

  // Order key: a smaller key is a smaller float (sign-magnitude to unsigned).
  logic [SW-1:0] key_s  /*verilator public_flat_rd*/;
  logic better;
  assign key_s = score_s[SW-1] ? ~score_s : {1'b1, score_s[SW-2:0]};
`ifdef DYSTA_BMC
  // Bounded model checking of the control: every comparison outcome is free.
  (* anyseq *) logic f_better;
  assign better = !best_valid || f_better;
`else
  assign better = !best_valid || key_s < best_key;
`endif

  // ---------------------------------------------------------------- memory port control
  always_comb begin
    q_raddr = st == S_REMOVE ? QB'(rm_k + 1'b1) : QB'(sc);
    q_we = 1'b0;
    q_waddr = QB'(num);
    q_wdata = f_id;
    if (push_ok) begin
      q_we = 1'b1;
    end else if (rm_pend2) begin
      q_we = 1'b1;
      q_waddr = rm_wa2;
      q_wdata = q_rdata;
    end
    req_raddr = q_rdata;
    // Table addresses come straight from the request memories' output registers.
    rest_raddr = {slot_rd, layer_rd};
    iso_raddr = slot_rd;
    rate_raddr = {best_slot, best_layer};

    layer_we = push_ok;
    layer_wa = f_id;
    layer_wd = '0;
    le_we = push_ok;
    le_wa = f_id;
    le_wd = staged_arrival;
    gamma_we = push_ok;
    gamma_wa = f_id;
    gamma_wd = FP_ONE;
    score_we = push_ok;
    score_wa = f_id;
    score_wd = '0;
    if (st == S_RATE && rc == 4'd0) begin
      layer_we = 1'b1;
      layer_wa = best_id;
      layer_wd = best_layer == {LAYER_BITS{1'b1}} ? best_layer : best_layer + 1'b1;
      le_we = 1'b1;
      le_wa = best_id;
      le_wd = done_clk;
    end
    if (st == S_RATE && rc == 4'(RC_END)) begin
      gamma_we = 1'b1;
      gamma_wa = best_id;
      gamma_wd = r_dens[SW-2:M] == '0 ? FP_ONE : rate_m2_o;
    end
    if (vpipe[T_S]) begin
      score_we = 1'b1;
      score_wa = id_s;
      score_wd = score_s;
    end
  end

  // ---------------------------------------------------------------- non-zero count of a beat
  logic [$clog2(X_DIM+1)-1:0] beat_nz;
  logic [NNZ_W:0] nnz_sum;
  always_comb begin
    beat_nz = '0;
    for (int i = 0; i < X_DIM; i++) begin
      if (npu_dat[i*DATA_W+:DATA_W] != '0) beat_nz = beat_nz + 1'b1;
    end
    nnz_sum = {1'b0, nnz} + (npu_vld ? (NNZ_W + 1)'(beat_nz) : '0);
  end

  assign npu_start = st == S_START;

  // ---------------------------------------------------------------- sequential logic
  always_ff @(posedge clk) begin
    if (rst) begin
      st <= S_IDLE;
      sys_clk <= '0;
      num <= '0;
      time_shift <= '0;
      beta <= BETA_RESET;
      staged_deadline <= '0;
      staged_arrival <= '0;
      err <= '0;
      queued <= '0;
      sc <= '0;
      best_valid <= 1'b0;
      best_key <= '0;
      best_id <= '0;
      best_pos <= '0;
      best_slot <= '0;
      best_layer <= '0;
      npu_task <= '0;
      npu_slot <= '0;
      npu_layer <= '0;
      nnz <= '0;
      nnz_fin <= '0;
      last_r <= 1'b0;
      rc <= '0;
      rm_k <= '0;
      rm_first <= 1'b0;
      rm_pend1 <= 1'b0;
      rm_pend2 <= 1'b0;
      now_snap <= '0;
      done_clk <= '0;
      vpipe <= '0;
      out_vld <= 1'b0;
      out_dat <= '0;
    end else begin
      sys_clk <= sys_clk + 1'b1;
      out_vld <= npu_vld;
      out_dat <= npu_dat;

      // Host commands (accepted in IDLE and EXE only).
      if (acc) begin
        case (host_cmd_code)
          C_NOP, C_REST, C_DENS, C_OUT, C_ISO, C_RECIP: ;
          C_BETA: beta <= f_val;
          C_SHIFT: time_shift <= host_cmd_data[5:0];
          C_DEADLINE: staged_deadline <= host_cmd_data[TIME_W-1:0];
          C_ARRIVAL: staged_arrival <= host_cmd_data[TIME_W-1:0];
          C_PUSH: begin
            if (num == (QB + 1)'(DEPTH)) err[0] <= 1'b1;
            else if (queued[f_id]) err[1] <= 1'b1;
          end
          C_CLEAR: err <= '0;
          default: err[2] <= 1'b1;
        endcase
      end
      if (push_ok) queued[f_id] <= 1'b1;

      // Score pipeline (runs every cycle; only SCORE issues).
      vpipe <= {vpipe[T_S-1:1], issue};
      if (vpipe[T_S] && better) begin
        best_valid <= 1'b1;
        best_key <= key_s;
        best_id <= id_s;
        best_pos <= pos_s;
        best_slot <= sl_s;
        best_layer <= ly_s;
      end

      case (st)
        S_IDLE: begin
          if (!acc && num != '0) begin
            st <= S_SCORE;
            now_snap <= sys_clk;
            sc <= '0;
            best_valid <= 1'b0;
          end
        end
        S_SCORE: begin
          sc <= sc + 1'b1;
          if (sc == SCW'(num) + SCW'(T_S)) begin  // the last result was compared a cycle ago
            st <= S_START;
            npu_task <= best_id;
            npu_slot <= best_slot;
            npu_layer <= best_layer;
          end
        end
        S_START: begin
          st <= S_EXE;
          nnz <= '0;
        end
        S_EXE: begin
          nnz <= nnz_sum[NNZ_W] ? '1 : nnz_sum[NNZ_W-1:0];
          if (npu_done) begin
            st <= S_RATE;
            rc <= '0;
            done_clk <= sys_clk;
            nnz_fin <= nnz_sum[NNZ_W] ? '1 : nnz_sum[NNZ_W-1:0];
            last_r <= npu_last;
          end
        end
        S_RATE: begin
          rc <= rc + 1'b1;
          if (rc == 4'(RL)) begin  // the tables as read in RATE cycle 0
            r_out <= out_rd;
            r_dens <= dens_rd;
          end
          if (rc == 4'(RC_END)) begin
            st <= last_r ? S_REMOVE : S_IDLE;
            rm_k <= best_pos;
            rm_first <= 1'b1;
          end
        end
        S_REMOVE: begin
          // Reads q[k + 1] for k = pos .. N - 2, one per cycle; each is written to q[k] when it
          // arrives RL cycles later. Ends N - pos + 1 cycles after entry, with the last write.
          rm_first <= 1'b0;
          rm_pend1 <= 1'b0;
          if ((QB + 1)'(rm_k) + 1'b1 < num) begin
            rm_pend1 <= 1'b1;
            rm_wa1 <= rm_k;
            rm_k <= rm_k + 1'b1;
          end else if (!rm_first && !rm_pend1) begin
            num <= num - 1'b1;
            queued[best_id] <= 1'b0;
            st <= S_IDLE;
          end
        end
        default: st <= S_IDLE;
      endcase
      rm_pend2 <= rm_pend1;
      rm_wa2 <= rm_wa1;
      if (push_ok) num <= num + 1'b1;
    end
  end
`ifdef DYSTA_PROPS
  // ---------------------------------------------------------------- properties
  // Protocol and FSM invariants, as immediate assertions sampled at every clock edge (the
  // current cycle against the previous one). Checked in the Verilator co-simulation (--assert,
  // +define+DYSTA_PROPS) and, with the score abstracted to a free value, by bounded model checking
  // (rtl/formal/bmc.sh: yosys-smtbmc). They hold for every input sequence, legal or not.
  function automatic logic [QB:0] ones(logic [DEPTH-1:0] v);
    ones = '0;
    for (int i = 0; i < DEPTH; i++) ones = ones + (QB + 1)'(v[i]);
  endfunction
  logic p_init = 1'b0;
  logic p_rst, p_done, p_acc, p_push_ok, p_start;
  state_t p_st;
  logic [3:0] p_code;
  logic [QB:0] p_num;
  logic [2:0] p_err;
  logic [QB-1:0] p_id;
  logic [DEPTH-1:0] p_queued;
  logic [NNZ_W-1:0] p_nnz;
  always_ff @(posedge clk) begin
    p_init <= 1'b1;
    p_rst <= rst;
    p_done <= npu_done;
    p_acc <= acc;
    p_push_ok <= push_ok;
    p_start <= npu_start;
    p_st <= st;
    p_code <= host_cmd_code;
    p_num <= num;
    p_err <= err;
    p_id <= f_id;
    p_queued <= queued;
    p_nnz <= nnz;
  end
`ifdef FORMAL
  always_comb if (!p_init) assume (rst);
`endif
  always_ff @(posedge clk) begin
    if (p_init && !rst && !p_rst) begin
      // State register and decodes.
      assert (st == S_IDLE || st == S_SCORE || st == S_START || st == S_EXE || st == S_RATE ||
              st == S_REMOVE);
      assert (host_cmd_ready == (st == S_IDLE || st == S_EXE));
      assert (npu_start == (st == S_START));
      // Queue bookkeeping: the count is bounded and equals the number of queued ids; it moves
      // only by an accepted push or the end of a removal.
      assert (num <= (QB + 1)'(DEPTH));
      assert (ones(queued) == num);
      assert (num == p_num + (QB + 1)'(p_push_ok) - (QB + 1)'(p_st == S_REMOVE && st == S_IDLE));
      assert (!p_push_ok || (p_num != (QB + 1)'(DEPTH) && !p_queued[p_id] && queued[p_id]));
      // FSM transitions.
      if (p_st == S_IDLE) assert (st == S_IDLE || st == S_SCORE);
      if (p_st == S_IDLE && st == S_SCORE) assert (p_num != '0 && !p_acc);
      if (p_st == S_SCORE) assert (st == S_SCORE || st == S_START);
      if (p_st == S_START) assert (st == S_EXE);
      if (p_st == S_EXE) assert (st == (p_done ? S_RATE : S_EXE));
      if (p_st == S_RATE) assert (st == S_RATE || st == S_IDLE || st == S_REMOVE);
      if (p_st == S_REMOVE) assert (st == S_REMOVE || st == S_IDLE);
      if (p_start) assert (!npu_start);
      // A decision names a queued request; the queue holds it until its removal ends.
      if (st == S_START || st == S_EXE || st == S_RATE || st == S_REMOVE) begin
        assert (num != '0 && (QB + 1)'(best_pos) < num && queued[best_id]);
      end
      if (st == S_SCORE) assert (sc <= SCW'(num) + SCW'(T_S) && num != '0);
      if (st == S_REMOVE) assert ((QB + 1)'(rm_k) < num);
      // Valid score slots exist only during SCORE (nothing else may be compared).
      if (vpipe != '0) assert (st == S_SCORE);
      // The counter counts only in EXE (cleared at START).
      if (p_st != S_EXE && p_st != S_START) assert (nnz == p_nnz);
      // Error flags: raised only by the matching rejected command, cleared only by clear_errors.
      if (err[0] && !p_err[0]) assert (p_acc && p_code == C_PUSH && p_num == (QB + 1)'(DEPTH));
      if (err[1] && !p_err[1]) assert (p_acc && p_code == C_PUSH && p_queued[p_id]);
      if (err[2] && !p_err[2]) assert (p_acc && p_code > C_CLEAR);
      if ((p_err & ~err) != '0) assert (p_acc && p_code == C_CLEAR);
    end
  end
`ifdef FORMAL
  // Reachability (yosys-smtbmc -c): the checks above are not vacuous.
  always_ff @(posedge clk) begin
    if (p_init && !rst && !p_rst) begin
      cover (st == S_REMOVE && num == (QB + 1)'(DEPTH));
      cover (err[0]);
      cover (p_st == S_REMOVE && st == S_IDLE);
    end
  end
`endif
`endif
endmodule

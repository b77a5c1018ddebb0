// Dysta hardware scheduler (spec H; design and H.7 fixes in docs/hardware.md). Bit- and
// cycle-exact twin of the C++ model include/dysta/hardware/scheduler_model.h, against which it is
// co-simulated (rtl/tb/cosim_main.cpp).
//
// FSM (one round per accelerator layer):
//   IDLE   host commands accepted; leaves at the first cycle without a command when the queue is
//          non-empty, snapshotting now = sys_clk.
//   SCORE  issues the N queued requests, one per cycle, into a 9-stage score pipeline; keeps the
//          first strictly smallest score (N + 9 cycles).
//   START  npu_start for one cycle with the chosen request.
//   EXE    host commands accepted; counts non-zero output words; npu_done ends it.
//   RATE   last_exec = done cycle, layer + 1, gamma from the non-zero count (4 cycles).
//   REMOVE after the request's last layer: closes the gap in the queue, keeping push order
//          (N - pos cycles).
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

    // Host command port.
    input  logic              host_cmd_valid,
    input  logic [       3:0] host_cmd_code,
    input  logic [      47:0] host_cmd_data,
    output logic              host_cmd_ready,
    output logic [       2:0] host_err,
    output logic [QUEUE_BITS:0] queue_len,

    // Accelerator port (a stand-in drives it in simulation).
    output logic                    npu_start,
    output logic [  QUEUE_BITS-1:0] npu_task,
    output logic [   SLOT_BITS-1:0] npu_slot,
    output logic [  LAYER_BITS-1:0] npu_layer,
    input  logic                    npu_vld,
    input  logic [X_DIM*DATA_W-1:0] npu_dat,
    input  logic                    npu_done,
    input  logic                    npu_last,
    output logic                    out_vld,  // npu_dat/npu_vld registered once (to memory)
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
  logic [TIME_W-1:0] sys_clk  /*verilator public_flat_rd*/;
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
  logic slot_we, layer_we, dl_we, le_we, gamma_we, score_we;
  logic [QB-1:0] layer_wa, le_wa, gamma_wa, score_wa;
  logic [LAYER_BITS-1:0] layer_wd, layer_rd;
  logic [SLOT_BITS-1:0] slot_rd;
  logic [TIME_W-1:0] le_wd, dl_rd, le_rd;
  logic [SW-1:0] gamma_wd, score_wd, gamma_rd, score_rd_unused;
  dysta_sdp_ram #(.W(SLOT_BITS), .AW(QB)) u_slot (
      .clk, .we(slot_we), .waddr(f_id), .wdata(f_slot), .raddr(req_raddr), .rdata(slot_rd));
  dysta_sdp_ram #(.W(LAYER_BITS), .AW(QB)) u_layer (
      .clk, .we(layer_we), .waddr(layer_wa), .wdata(layer_wd), .raddr(req_raddr),
      .rdata(layer_rd));
  dysta_sdp_ram #(.W(TIME_W), .AW(QB)) u_deadline (
      .clk, .we(dl_we), .waddr(f_id), .wdata(staged_deadline), .raddr(req_raddr),
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
  logic [QB+4:0] sc;  // SCORE cycle counter
  logic best_valid;
  logic [SW-1:0] best_key;
  logic [QB-1:0] best_id  /*verilator public_flat_rd*/;
  logic [QB-1:0] best_pos  /*verilator public_flat_rd*/;
  logic [SLOT_BITS-1:0] best_slot;
  logic [LAYER_BITS-1:0] best_layer;
  logic [NNZ_W-1:0] nnz, nnz_fin;
  logic last_r;
  logic [2:0] rc;  // RATE cycle
  logic [QB-1:0] rm_k, rm_wk;
  logic rm_pend;

  // ---------------------------------------------------------------- score pipeline
  logic issue;
  logic v1, v2, v3, v4, v5, v6, v7, v8, v9;
  logic [QB-1:0] pos1, pos2, pos3, pos4, pos5, pos6, pos7, pos8, pos9;
  logic [QB-1:0] id2, id3, id4, id5, id6, id7, id8, id9;
  logic [SLOT_BITS-1:0] sl3, sl4, sl5, sl6, sl7, sl8, sl9;
  logic [LAYER_BITS-1:0] ly3, ly4, ly5, ly6, ly7, ly8, ly9;
  logic [SW-1:0] gamma3;
  logic signed [QW-1:0] slack_q3, wait_q3;
  logic [SW-1:0] r4, sf4, wf4, iso4;
  logic [SW-1:0] r5, u5, pf5;
  logic [SW-1:0] r6, u6, p6;
  logic [SW-1:0] r7, c7;
  logic [SW-1:0] r8, bc8;
  logic [SW-1:0] score9;

  assign issue = st == S_SCORE && sc < (QB + 5)'(num);

  // Stage 2: time differences in Q units, saturated (Q(x) = floor(x / 2^time_shift)).
  logic signed [TIME_W:0] slack_c, wait_c, slack_s, wait_s;
  logic signed [QW-1:0] slack_q, wait_q;
  always_comb begin
    slack_c = $signed({1'b0, dl_rd}) - $signed({1'b0, now_snap});
    wait_c = $signed({1'b0, now_snap}) - $signed({1'b0, le_rd});
    slack_s = slack_c >>> time_shift;
    wait_s = wait_c >>> time_shift;
    if (slack_s > Q_MAX) slack_q = QW'(Q_MAX);
    else if (slack_s < Q_MIN) slack_q = QW'(Q_MIN);
    else slack_q = QW'(slack_s);
    if (wait_s > Q_MAX) wait_q = QW'(Q_MAX);
    else if (wait_s < 0) wait_q = '0;  // max(0, wait)
    else wait_q = QW'(wait_s);
  end

  // Arithmetic units. Multipliers A (gamma x rest) and B (wait x inv_iso) also serve the rate
  // step when SHARED; otherwise the rate step has its own two.
  logic [SW-1:0] mul_a_x, mul_a_y, mul_a_o, mul_b_x, mul_b_y, mul_b_o;
  logic [SW-1:0] mul_p_o, mul_bc_o, add_u_o, add_c_o, add_s_o, cv_slack_o, cv_wait_o;
  logic [SW-1:0] r_nf, r_out, r_dens, r_m1, r_m2, rate_m1_o, rate_m2_o, cv_nnz_o;
  logic rate_on;
  assign rate_on = SHARED != 0 && st == S_RATE;
  assign mul_a_x = rate_on ? r_nf : gamma3;
  assign mul_a_y = rate_on ? r_out : rest_rd;
  assign mul_b_x = rate_on ? r_m1 : wf4;
  assign mul_b_y = rate_on ? r_dens : iso4;

  dysta_fp_mul #(.E(E), .M(M)) u_mul_a (.a(mul_a_x), .b(mul_a_y), .y(mul_a_o));
  dysta_fp_mul #(.E(E), .M(M)) u_mul_b (.a(mul_b_x), .b(mul_b_y), .y(mul_b_o));
  dysta_fp_mul #(.E(E), .M(M)) u_mul_p (.a(pf5), .b(recip_rd), .y(mul_p_o));
  dysta_fp_mul #(.E(E), .M(M)) u_mul_bc (.a(beta), .b(c7), .y(mul_bc_o));
  dysta_fp_add #(.E(E), .M(M)) u_add_u (.a(sf4), .b({~r4[SW-1], r4[SW-2:0]}), .y(add_u_o));
  dysta_fp_add #(.E(E), .M(M)) u_add_c (.a(u6), .b(p6), .y(add_c_o));
  dysta_fp_add #(.E(E), .M(M)) u_add_s (.a(r8), .b(bc8), .y(add_s_o));
  dysta_fix2fp #(.E(E), .M(M), .W(QW), .F(QF), .SIGNED(1)) u_cv_slack (
      .x(slack_q3), .y(cv_slack_o));
  dysta_fix2fp #(.E(E), .M(M), .W(QW), .F(QF), .SIGNED(1)) u_cv_wait (.x(wait_q3), .y(cv_wait_o));
  dysta_fix2fp #(.E(E), .M(M), .W(NNZ_W), .F(0), .SIGNED(0)) u_cv_nnz (.x(nnz_fin), .y(cv_nnz_o));

  generate
    if (SHARED != 0) begin : g_shared
      assign rate_m1_o = mul_a_o;
      assign rate_m2_o = mul_b_o;
    end else begin : g_separate
      dysta_fp_mul #(.E(E), .M(M)) u_mul_r1 (.a(r_nf), .b(r_out), .y(rate_m1_o));
      dysta_fp_mul #(.E(E), .M(M)) u_mul_r2 (.a(r_m1), .b(r_dens), .y(rate_m2_o));
    end
  endgenerate

  // Order key: a smaller key is a smaller float (sign-magnitude to unsigned).
  logic [SW-1:0] key9;
  logic better9;
  assign key9 = score9[SW-1] ? ~score9 : {1'b1, score9[SW-2:0]};
  assign better9 = !best_valid || key9 < best_key;

  // ---------------------------------------------------------------- memory port control
  always_comb begin
    q_raddr = st == S_REMOVE ? QB'(rm_k + 1'b1) : QB'(sc);
    q_we = 1'b0;
    q_waddr = QB'(num);
    q_wdata = f_id;
    if (push_ok) begin
      q_we = 1'b1;
    end else if (st == S_REMOVE && rm_pend) begin
      q_we = 1'b1;
      q_waddr = rm_wk;
      q_wdata = q_rdata;
    end
    req_raddr = q_rdata;
    // Stage-2 LUT addresses come straight from the request memories' outputs.
    rest_raddr = {slot_rd, layer_rd};
    iso_raddr = slot_rd;
    rate_raddr = {best_slot, best_layer};

    slot_we = push_ok;
    dl_we = push_ok;
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
    if (st == S_RATE && rc == 3'd0) begin
      layer_we = 1'b1;
      layer_wa = best_id;
      layer_wd = best_layer == {LAYER_BITS{1'b1}} ? best_layer : best_layer + 1'b1;
      le_we = 1'b1;
      le_wa = best_id;
      le_wd = done_clk;
    end
    if (st == S_RATE && rc == 3'd4) begin
      gamma_we = 1'b1;
      gamma_wa = best_id;
      gamma_wd = r_dens[SW-2:M] == '0 ? FP_ONE : r_m2;
    end
    if (v9) begin
      score_we = 1'b1;
      score_wa = id9;
      score_wd = score9;
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
  assign npu_task = best_id;
  assign npu_slot = best_slot;
  assign npu_layer = best_layer;

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
      nnz <= '0;
      nnz_fin <= '0;
      last_r <= 1'b0;
      rc <= '0;
      rm_k <= '0;
      rm_wk <= '0;
      rm_pend <= 1'b0;
      now_snap <= '0;
      done_clk <= '0;
      {v1, v2, v3, v4, v5, v6, v7, v8, v9} <= '0;
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
      v1 <= issue;
      pos1 <= QB'(sc);
      v2 <= v1;
      pos2 <= pos1;
      id2 <= q_rdata;
      v3 <= v2;
      pos3 <= pos2;
      id3 <= id2;
      sl3 <= slot_rd;
      ly3 <= layer_rd;
      gamma3 <= gamma_rd;
      slack_q3 <= slack_q;
      wait_q3 <= wait_q;
      v4 <= v3;
      pos4 <= pos3;
      id4 <= id3;
      sl4 <= sl3;
      ly4 <= ly3;
      if (!rate_on) r4 <= mul_a_o;
      sf4 <= cv_slack_o;
      wf4 <= cv_wait_o;
      iso4 <= iso_rd;
      v5 <= v4;
      pos5 <= pos4;
      id5 <= id4;
      sl5 <= sl4;
      ly5 <= ly4;
      r5 <= r4;
      u5 <= add_u_o;
      if (!rate_on) pf5 <= mul_b_o;
      v6 <= v5;
      pos6 <= pos5;
      id6 <= id5;
      sl6 <= sl5;
      ly6 <= ly5;
      r6 <= r5;
      u6 <= u5[SW-1] ? '0 : u5;  // max(0, u); the canonical NaN has sign 0 and passes
      p6 <= mul_p_o;
      v7 <= v6;
      pos7 <= pos6;
      id7 <= id6;
      sl7 <= sl6;
      ly7 <= ly6;
      r7 <= r6;
      c7 <= add_c_o;
      v8 <= v7;
      pos8 <= pos7;
      id8 <= id7;
      sl8 <= sl7;
      ly8 <= ly7;
      r8 <= r7;
      bc8 <= mul_bc_o;
      v9 <= v8;
      pos9 <= pos8;
      id9 <= id8;
      sl9 <= sl8;
      ly9 <= ly8;
      score9 <= add_s_o;
      if (v9 && better9) begin
        best_valid <= 1'b1;
        best_key <= key9;
        best_id <= id9;
        best_pos <= pos9;
        best_slot <= sl9;
        best_layer <= ly9;
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
          if (sc == (QB + 5)'(num) + (QB + 5)'(8)) st <= S_START;
        end
        S_START: begin
          st <= S_EXE;
          nnz <= '0;
        end
        S_EXE: begin
          nnz <= nnz_sum[NNZ_W] ? '1 : nnz_sum[NNZ_W-1:0];
          if (npu_done) begin
            st <= S_RATE;
            rc <= 3'd0;
            done_clk <= sys_clk;
            nnz_fin <= nnz_sum[NNZ_W] ? '1 : nnz_sum[NNZ_W-1:0];
            last_r <= npu_last;
          end
        end
        S_RATE: begin
          rc <= rc + 1'b1;
          case (rc)
            // rc 0 reads the tables: a host write accepted in the npu_done cycle is seen.
            3'd0: ;
            3'd1: begin
              r_nf <= cv_nnz_o;
              r_out <= out_rd;
              r_dens <= dens_rd;
            end
            3'd2: r_m1 <= rate_m1_o;
            3'd3: r_m2 <= rate_m2_o;
            default: begin
              st <= last_r ? S_REMOVE : S_IDLE;
              rm_k <= best_pos;
              rm_pend <= 1'b0;
            end
          endcase
        end
        S_REMOVE: begin
          if ((QB + 1)'(rm_k) + 1'b1 < num) begin
            rm_pend <= 1'b1;
            rm_wk <= rm_k;
            rm_k <= rm_k + 1'b1;
          end else begin
            rm_pend <= 1'b0;
            num <= num - 1'b1;
            queued[best_id] <= 1'b0;
            st <= S_IDLE;
          end
        end
        default: st <= S_IDLE;
      endcase
      if (push_ok) num <= num + 1'b1;
    end
  end
endmodule

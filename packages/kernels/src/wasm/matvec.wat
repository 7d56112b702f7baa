;; matvec.wat: y = x @ W for one row x (decoding one token), and the two products of attention
;; for one query, in WebAssembly SIMD. Decoding reads every weight once per token, so these
;; kernels are about streaming W through the cache at full speed with enough independent adds.
;;
;; All operands are float32 in one shared memory; every address and stride is in BYTES.
;; Two layouts of W, one kernel each:
;;   dotRows     W [N, K], y[j] = x · W[j, :]  (nn.Linear / Llama: x @ Wᵀ; also scores = K @ q)
;;   axpyPanels  W [K, N], y = Σ_k x[k] · W[k, :]  (GPT-2's Conv1D: x @ W; also y = p @ V), with W
;;               read as strips of 32 columns. A weight pinned with pinWeights() is packed strip by
;;               strip ([N/32][K][32], pinned.ts) so that each strip is one contiguous stream.
;; Not here: padding and copying (matmul.ts, attention.ts), threads (workers.ts gives each thread
;; a range of rows or strips).
;; Reference: llama2.c `matmul` (the scalar loop of dotRows); XNNPACK's f32-gemv kernels.

(module
  (import "env" "memory" (memory 1 32768 shared))

  ;; dotRows: y[j] = Σ_k x[k] · W[j, k] for j < rows. W's rows are rowBytes apart; rows is a
  ;; multiple of 4 and rowBytes of 32 (K padded to 8 floats with zeros by the caller).
  ;;
  ;;   for (j = 0; j < rows; j++)
  ;;     y[j] = 0
  ;;     for (k = 0; k < K; k++) y[j] += x[k] * W[j, k]
  ;;
  ;; Four rows at a time (x is loaded once for four rows), and eight k at a time in two
  ;; accumulators per row, so consecutive adds do not wait on each other.
  (func $dotRows (export "dotRows")
    (param $x i32) (param $w i32) (param $y i32) (param $rows i32) (param $rowBytes i32)
    (local $j i32) (local $yj i32)                ;; j, &y[j]
    (local $xk i32) (local $xEnd i32)             ;; &x[k], &x[K]
    (local $w0 i32) (local $w1 i32) (local $w2 i32) (local $w3 i32)  ;; &W[j + r, k] for r < 4
    (local $x0 v128) (local $x1 v128)             ;; x[k .. k+3], x[k+4 .. k+7]
    (local $s00 v128) (local $s01 v128) (local $s10 v128) (local $s11 v128)  ;; partial sums:
    (local $s20 v128) (local $s21 v128) (local $s30 v128) (local $s31 v128)  ;; row r, half h
    (local $t v128)
    (local.set $xEnd (i32.add (local.get $x) (local.get $rowBytes)))
    (local.set $j (i32.const 0))
    (block $rowsDone
      (loop $eachFourRows
        (br_if $rowsDone (i32.ge_s (local.get $j) (local.get $rows)))
        (local.set $w0 (i32.add (local.get $w) (i32.mul (local.get $j) (local.get $rowBytes))))
        (local.set $w1 (i32.add (local.get $w0) (local.get $rowBytes)))
        (local.set $w2 (i32.add (local.get $w1) (local.get $rowBytes)))
        (local.set $w3 (i32.add (local.get $w2) (local.get $rowBytes)))
        (local.set $s00 (v128.const i32x4 0 0 0 0)) (local.set $s01 (v128.const i32x4 0 0 0 0))
        (local.set $s10 (v128.const i32x4 0 0 0 0)) (local.set $s11 (v128.const i32x4 0 0 0 0))
        (local.set $s20 (v128.const i32x4 0 0 0 0)) (local.set $s21 (v128.const i32x4 0 0 0 0))
        (local.set $s30 (v128.const i32x4 0 0 0 0)) (local.set $s31 (v128.const i32x4 0 0 0 0))
        (local.set $xk (local.get $x))
        (block $kDone
          (loop $eachEightK
            (br_if $kDone (i32.ge_u (local.get $xk) (local.get $xEnd)))
            (local.set $x0 (v128.load (local.get $xk)))
            (local.set $x1 (v128.load offset=16 (local.get $xk)))
            (local.set $s00 (f32x4.add (local.get $s00) (f32x4.mul (local.get $x0) (v128.load (local.get $w0)))))
            (local.set $s01 (f32x4.add (local.get $s01) (f32x4.mul (local.get $x1) (v128.load offset=16 (local.get $w0)))))
            (local.set $s10 (f32x4.add (local.get $s10) (f32x4.mul (local.get $x0) (v128.load (local.get $w1)))))
            (local.set $s11 (f32x4.add (local.get $s11) (f32x4.mul (local.get $x1) (v128.load offset=16 (local.get $w1)))))
            (local.set $s20 (f32x4.add (local.get $s20) (f32x4.mul (local.get $x0) (v128.load (local.get $w2)))))
            (local.set $s21 (f32x4.add (local.get $s21) (f32x4.mul (local.get $x1) (v128.load offset=16 (local.get $w2)))))
            (local.set $s30 (f32x4.add (local.get $s30) (f32x4.mul (local.get $x0) (v128.load (local.get $w3)))))
            (local.set $s31 (f32x4.add (local.get $s31) (f32x4.mul (local.get $x1) (v128.load offset=16 (local.get $w3)))))
            (local.set $xk (i32.add (local.get $xk) (i32.const 32)))
            (local.set $w0 (i32.add (local.get $w0) (i32.const 32)))
            (local.set $w1 (i32.add (local.get $w1) (i32.const 32)))
            (local.set $w2 (i32.add (local.get $w2) (i32.const 32)))
            (local.set $w3 (i32.add (local.get $w3) (i32.const 32)))
            (br $eachEightK)))
        ;; y[j + r] = the eight lanes of row r's two partial sums, added up: t = s_r0 + s_r1,
        ;; then (t[0] + t[1]) + (t[2] + t[3])  (written out: a call per row cost ~3% at D = 48)
        (local.set $yj (i32.add (local.get $y) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $t (f32x4.add (local.get $s00) (local.get $s01)))
        (f32.store offset=0 (local.get $yj)
          (f32.add (f32.add (f32x4.extract_lane 0 (local.get $t)) (f32x4.extract_lane 1 (local.get $t)))
                   (f32.add (f32x4.extract_lane 2 (local.get $t)) (f32x4.extract_lane 3 (local.get $t)))))
        (local.set $t (f32x4.add (local.get $s10) (local.get $s11)))
        (f32.store offset=4 (local.get $yj)
          (f32.add (f32.add (f32x4.extract_lane 0 (local.get $t)) (f32x4.extract_lane 1 (local.get $t)))
                   (f32.add (f32x4.extract_lane 2 (local.get $t)) (f32x4.extract_lane 3 (local.get $t)))))
        (local.set $t (f32x4.add (local.get $s20) (local.get $s21)))
        (f32.store offset=8 (local.get $yj)
          (f32.add (f32.add (f32x4.extract_lane 0 (local.get $t)) (f32x4.extract_lane 1 (local.get $t)))
                   (f32.add (f32x4.extract_lane 2 (local.get $t)) (f32x4.extract_lane 3 (local.get $t)))))
        (local.set $t (f32x4.add (local.get $s30) (local.get $s31)))
        (f32.store offset=12 (local.get $yj)
          (f32.add (f32.add (f32x4.extract_lane 0 (local.get $t)) (f32x4.extract_lane 1 (local.get $t)))
                   (f32.add (f32x4.extract_lane 2 (local.get $t)) (f32x4.extract_lane 3 (local.get $t)))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $eachFourRows))))

  ;; axpyPanels: y[j] = Σ_k x[k] · W[k, j] for the 32·panels columns j of `panels` strips.
  ;; Strip q starts at w + q·panelBytes, its rows are rowBytes apart; it writes y[32q .. 32q+31].
  ;;   W [K, N] row-major:            rowBytes = N·4, panelBytes = 128 (the next 32 columns)
  ;;   pinned, packed [N/32][K][32]:  rowBytes = 128, panelBytes = K·128
  ;;
  ;;   for (q = 0; q < panels; q++)
  ;;     y[32q .. 32q+31] = 0
  ;;     for (k = 0; k < K; k++)
  ;;       for (j = 32q; j < 32q + 32; j++) y[j] += x[k] * W[k, j]
  ;;
  ;; The 32 outputs of a strip (two cache lines) stay in eight registers while k walks down it.
  (func $axpyPanels (export "axpyPanels")
    (param $x i32) (param $w i32) (param $y i32) (param $K i32)
    (param $rowBytes i32) (param $panelBytes i32) (param $panels i32)
    (local $q i32) (local $k i32)
    (local $wk i32)       ;; &W[k, 32q] in strip q
    (local $xk i32)       ;; &x[k]
    (local $xs v128)      ;; x[k] in all four lanes
    (local $y0 v128) (local $y1 v128) (local $y2 v128) (local $y3 v128)  ;; y[32q + 4v .. 32q + 4v+3]
    (local $y4 v128) (local $y5 v128) (local $y6 v128) (local $y7 v128)  ;; for v < 8
    (local $yq i32)       ;; &y[32q]
    (local.set $q (i32.const 0))
    (block $panelsDone
      (loop $eachPanel
        (br_if $panelsDone (i32.ge_s (local.get $q) (local.get $panels)))
        (local.set $wk (i32.add (local.get $w) (i32.mul (local.get $q) (local.get $panelBytes))))
        (local.set $xk (local.get $x))
        (local.set $y0 (v128.const i32x4 0 0 0 0)) (local.set $y1 (v128.const i32x4 0 0 0 0))
        (local.set $y2 (v128.const i32x4 0 0 0 0)) (local.set $y3 (v128.const i32x4 0 0 0 0))
        (local.set $y4 (v128.const i32x4 0 0 0 0)) (local.set $y5 (v128.const i32x4 0 0 0 0))
        (local.set $y6 (v128.const i32x4 0 0 0 0)) (local.set $y7 (v128.const i32x4 0 0 0 0))
        (local.set $k (i32.const 0))
        (block $kDone
          (loop $eachK
            (br_if $kDone (i32.ge_s (local.get $k) (local.get $K)))
            (local.set $xs (f32x4.splat (f32.load (local.get $xk))))
            (local.set $y0 (f32x4.add (local.get $y0) (f32x4.mul (local.get $xs) (v128.load offset=0 (local.get $wk)))))
            (local.set $y1 (f32x4.add (local.get $y1) (f32x4.mul (local.get $xs) (v128.load offset=16 (local.get $wk)))))
            (local.set $y2 (f32x4.add (local.get $y2) (f32x4.mul (local.get $xs) (v128.load offset=32 (local.get $wk)))))
            (local.set $y3 (f32x4.add (local.get $y3) (f32x4.mul (local.get $xs) (v128.load offset=48 (local.get $wk)))))
            (local.set $y4 (f32x4.add (local.get $y4) (f32x4.mul (local.get $xs) (v128.load offset=64 (local.get $wk)))))
            (local.set $y5 (f32x4.add (local.get $y5) (f32x4.mul (local.get $xs) (v128.load offset=80 (local.get $wk)))))
            (local.set $y6 (f32x4.add (local.get $y6) (f32x4.mul (local.get $xs) (v128.load offset=96 (local.get $wk)))))
            (local.set $y7 (f32x4.add (local.get $y7) (f32x4.mul (local.get $xs) (v128.load offset=112 (local.get $wk)))))
            (local.set $wk (i32.add (local.get $wk) (local.get $rowBytes)))
            (local.set $xk (i32.add (local.get $xk) (i32.const 4)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $eachK)))
        (local.set $yq (i32.add (local.get $y) (i32.shl (local.get $q) (i32.const 7))))
        (v128.store offset=0 (local.get $yq) (local.get $y0))
        (v128.store offset=16 (local.get $yq) (local.get $y1))
        (v128.store offset=32 (local.get $yq) (local.get $y2))
        (v128.store offset=48 (local.get $yq) (local.get $y3))
        (v128.store offset=64 (local.get $yq) (local.get $y4))
        (v128.store offset=80 (local.get $yq) (local.get $y5))
        (v128.store offset=96 (local.get $yq) (local.get $y6))
        (v128.store offset=112 (local.get $yq) (local.get $y7))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br $eachPanel)))))

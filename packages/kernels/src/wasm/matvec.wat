;; matvec.wat: y = x @ W for one row x (decoding one token), and the two products of attention
;; for one query, in WebAssembly SIMD. Decoding reads every weight once per token, so these
;; kernels are about streaming W through the cache at full speed with enough independent adds.
;; They read W where it lies, in the layout it was loaded in (no packed copy: one copy of the
;; weights in memory), any K, any N.
;;
;; All operands are float32 in one shared memory; every address and stride is in BYTES.
;; Two layouts of W, one kernel each:
;;   dotRows    W [N, K], y[j] = x · W[j, :]  (nn.Linear / Llama: x @ Wᵀ; a tied lm_head; the
;;              scores of attention, K @ q): row by row, one contiguous stream
;;   axpyRows   W [K, N], y = Σ_k x[k] · W[k, :]  (GPT-2's Conv1D: x @ W; attention's p @ V): four
;;              rows of W at a time added into y, which stays in the L1 cache
;; Not here: copying x in and y out (matmul.ts, attention.ts), threads (workers.ts gives each
;; thread a range of rows of W for dotRows, of columns for axpyRows).
;; Reference: llama2.c `matmul` (the scalar loop of dotRows); XNNPACK's f32-gemv kernels.

(module
  (import "env" "memory" (memory 1 32768 shared))

  ;; dotRows: y[j] = Σ_k x[k] · W[j, k] for j < rows, W's rows rowBytes apart.
  ;;
  ;;   for (j = 0; j < rows; j++)
  ;;     y[j] = 0
  ;;     for (k = 0; k < K; k++) y[j] += x[k] * W[j, k]
  ;;
  ;; One row at a time, sixteen k per step in four partial sums of four lanes (so consecutive adds
  ;; do not wait on each other); then four k per step, then the K % 4 last one by one.
  ;; NOTE: one row at a time, not four side by side: W is then one contiguous stream, which the
  ;; hardware prefetcher follows; four short interleaved streams (rows of 288 floats) measured
  ;; half the speed once W no longer fits in the cache. x is re-read per row, from the L1 cache.
  (func $dotRows (export "dotRows")
    (param $x i32) (param $w i32) (param $y i32) (param $rows i32) (param $K i32) (param $rowBytes i32)
    (local $j i32)
    (local $xk i32) (local $wk i32)               ;; &x[k], &W[j, k]
    (local $x16End i32) (local $x4End i32) (local $xEnd i32)  ;; &x[K rounded down to 16 / 4], &x[K]
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)  ;; partial sums, four lanes each
    (local $h f32)                                ;; the row's sum
    (local.set $x16End (i32.add (local.get $x) (i32.shl (i32.and (local.get $K) (i32.const -16)) (i32.const 2))))
    (local.set $x4End (i32.add (local.get $x) (i32.shl (i32.and (local.get $K) (i32.const -4)) (i32.const 2))))
    (local.set $xEnd (i32.add (local.get $x) (i32.shl (local.get $K) (i32.const 2))))
    (local.set $j (i32.const 0))
    (block $rowsDone
      (loop $eachRow
        (br_if $rowsDone (i32.ge_s (local.get $j) (local.get $rows)))
        (local.set $wk (i32.add (local.get $w) (i32.mul (local.get $j) (local.get $rowBytes))))
        (local.set $xk (local.get $x))
        (local.set $s0 (v128.const i32x4 0 0 0 0)) (local.set $s1 (v128.const i32x4 0 0 0 0))
        (local.set $s2 (v128.const i32x4 0 0 0 0)) (local.set $s3 (v128.const i32x4 0 0 0 0))
        (block $sixteenDone
          (loop $eachSixteenK
            (br_if $sixteenDone (i32.ge_u (local.get $xk) (local.get $x16End)))
            (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul (v128.load offset=0 (local.get $xk)) (v128.load offset=0 (local.get $wk)))))
            (local.set $s1 (f32x4.add (local.get $s1) (f32x4.mul (v128.load offset=16 (local.get $xk)) (v128.load offset=16 (local.get $wk)))))
            (local.set $s2 (f32x4.add (local.get $s2) (f32x4.mul (v128.load offset=32 (local.get $xk)) (v128.load offset=32 (local.get $wk)))))
            (local.set $s3 (f32x4.add (local.get $s3) (f32x4.mul (v128.load offset=48 (local.get $xk)) (v128.load offset=48 (local.get $wk)))))
            (local.set $xk (i32.add (local.get $xk) (i32.const 64)))
            (local.set $wk (i32.add (local.get $wk) (i32.const 64)))
            (br $eachSixteenK)))
        (local.set $s0 (f32x4.add (f32x4.add (local.get $s0) (local.get $s1)) (f32x4.add (local.get $s2) (local.get $s3))))
        (block $fourDone
          (loop $eachFourK
            (br_if $fourDone (i32.ge_u (local.get $xk) (local.get $x4End)))
            (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul (v128.load (local.get $xk)) (v128.load (local.get $wk)))))
            (local.set $xk (i32.add (local.get $xk) (i32.const 16)))
            (local.set $wk (i32.add (local.get $wk) (i32.const 16)))
            (br $eachFourK)))
        ;; the four lanes added up: (s[0] + s[1]) + (s[2] + s[3]), then the K % 4 last k
        (local.set $h
          (f32.add (f32.add (f32x4.extract_lane 0 (local.get $s0)) (f32x4.extract_lane 1 (local.get $s0)))
                   (f32.add (f32x4.extract_lane 2 (local.get $s0)) (f32x4.extract_lane 3 (local.get $s0)))))
        (block $oneDone
          (loop $eachK
            (br_if $oneDone (i32.ge_u (local.get $xk) (local.get $xEnd)))
            (local.set $h (f32.add (local.get $h) (f32.mul (f32.load (local.get $xk)) (f32.load (local.get $wk)))))
            (local.set $xk (i32.add (local.get $xk) (i32.const 4)))
            (local.set $wk (i32.add (local.get $wk) (i32.const 4)))
            (br $eachK)))
        (f32.store (i32.add (local.get $y) (i32.shl (local.get $j) (i32.const 2))) (local.get $h))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $eachRow))))

  ;; axpyRows: y[j] = Σ_k x[k] · W[k, j] for the n columns j of W starting at w (W's rows rowBytes
  ;; apart), written to y[0 .. n).
  ;;
  ;;   for (j = 0; j < n; j++) y[j] = 0
  ;;   for (k = 0; k < K; k++)
  ;;     for (j = 0; j < n; j++) y[j] += x[k] * W[k, j]
  ;;
  ;; Four rows of W at a time: y[j] += (x[k]·W[k, j] + x[k+1]·W[k+1, j]) + (x[k+2]·W[k+2, j] +
  ;; x[k+3]·W[k+3, j]), sixteen columns per step, so each row of W is one contiguous stream and y
  ;; (a few KiB) is read and written once per four rows; then the K % 4 last rows one by one.
  (func $axpyRows (export "axpyRows")
    (param $x i32) (param $w i32) (param $y i32) (param $K i32) (param $n i32) (param $rowBytes i32)
    (local $k i32)
    (local $yEnd i32) (local $y16End i32) (local $y4End i32)  ;; &y[n], and n rounded down to 16 / 4 columns
    (local $a0 i32) (local $a1 i32) (local $a2 i32) (local $a3 i32)  ;; &W[k + r, j] for r < 4
    (local $yj i32)                               ;; &y[j]
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)  ;; x[k + r] in all lanes
    (local.set $yEnd (i32.add (local.get $y) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $y16End (i32.add (local.get $y) (i32.shl (i32.and (local.get $n) (i32.const -16)) (i32.const 2))))
    (local.set $y4End (i32.add (local.get $y) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (memory.fill (local.get $y) (i32.const 0) (i32.shl (local.get $n) (i32.const 2)))
    (local.set $k (i32.const 0))
    (block $fourRowsDone
      (loop $eachFourRows
        (br_if $fourRowsDone (i32.gt_s (i32.add (local.get $k) (i32.const 4)) (local.get $K)))
        (local.set $a0 (i32.add (local.get $w) (i32.mul (local.get $k) (local.get $rowBytes))))
        (local.set $a1 (i32.add (local.get $a0) (local.get $rowBytes)))
        (local.set $a2 (i32.add (local.get $a1) (local.get $rowBytes)))
        (local.set $a3 (i32.add (local.get $a2) (local.get $rowBytes)))
        (local.set $yj (i32.add (local.get $x) (i32.shl (local.get $k) (i32.const 2))))  ;; &x[k]
        (local.set $x0 (v128.load32_splat offset=0 (local.get $yj)))
        (local.set $x1 (v128.load32_splat offset=4 (local.get $yj)))
        (local.set $x2 (v128.load32_splat offset=8 (local.get $yj)))
        (local.set $x3 (v128.load32_splat offset=12 (local.get $yj)))
        (local.set $yj (local.get $y))
        ;; sixteen columns per step
        (block $sixteenDone
          (loop $eachSixteen
            (br_if $sixteenDone (i32.ge_u (local.get $yj) (local.get $y16End)))
            (v128.store (local.get $yj)
              (f32x4.add (v128.load (local.get $yj))
                (f32x4.add
                  (f32x4.add (f32x4.mul (local.get $x0) (v128.load (local.get $a0)))
                             (f32x4.mul (local.get $x1) (v128.load (local.get $a1))))
                  (f32x4.add (f32x4.mul (local.get $x2) (v128.load (local.get $a2)))
                             (f32x4.mul (local.get $x3) (v128.load (local.get $a3)))))))
            (v128.store offset=16 (local.get $yj)
              (f32x4.add (v128.load offset=16 (local.get $yj))
                (f32x4.add
                  (f32x4.add (f32x4.mul (local.get $x0) (v128.load offset=16 (local.get $a0)))
                             (f32x4.mul (local.get $x1) (v128.load offset=16 (local.get $a1))))
                  (f32x4.add (f32x4.mul (local.get $x2) (v128.load offset=16 (local.get $a2)))
                             (f32x4.mul (local.get $x3) (v128.load offset=16 (local.get $a3)))))))
            (v128.store offset=32 (local.get $yj)
              (f32x4.add (v128.load offset=32 (local.get $yj))
                (f32x4.add
                  (f32x4.add (f32x4.mul (local.get $x0) (v128.load offset=32 (local.get $a0)))
                             (f32x4.mul (local.get $x1) (v128.load offset=32 (local.get $a1))))
                  (f32x4.add (f32x4.mul (local.get $x2) (v128.load offset=32 (local.get $a2)))
                             (f32x4.mul (local.get $x3) (v128.load offset=32 (local.get $a3)))))))
            (v128.store offset=48 (local.get $yj)
              (f32x4.add (v128.load offset=48 (local.get $yj))
                (f32x4.add
                  (f32x4.add (f32x4.mul (local.get $x0) (v128.load offset=48 (local.get $a0)))
                             (f32x4.mul (local.get $x1) (v128.load offset=48 (local.get $a1))))
                  (f32x4.add (f32x4.mul (local.get $x2) (v128.load offset=48 (local.get $a2)))
                             (f32x4.mul (local.get $x3) (v128.load offset=48 (local.get $a3)))))))
            (local.set $a0 (i32.add (local.get $a0) (i32.const 64)))
            (local.set $a1 (i32.add (local.get $a1) (i32.const 64)))
            (local.set $a2 (i32.add (local.get $a2) (i32.const 64)))
            (local.set $a3 (i32.add (local.get $a3) (i32.const 64)))
            (local.set $yj (i32.add (local.get $yj) (i32.const 64)))
            (br $eachSixteen)))
        ;; then four columns per step
        (block $fourDone
          (loop $eachFour
            (br_if $fourDone (i32.ge_u (local.get $yj) (local.get $y4End)))
            (v128.store (local.get $yj)
              (f32x4.add (v128.load (local.get $yj))
                (f32x4.add
                  (f32x4.add (f32x4.mul (local.get $x0) (v128.load (local.get $a0)))
                             (f32x4.mul (local.get $x1) (v128.load (local.get $a1))))
                  (f32x4.add (f32x4.mul (local.get $x2) (v128.load (local.get $a2)))
                             (f32x4.mul (local.get $x3) (v128.load (local.get $a3)))))))
            (local.set $a0 (i32.add (local.get $a0) (i32.const 16)))
            (local.set $a1 (i32.add (local.get $a1) (i32.const 16)))
            (local.set $a2 (i32.add (local.get $a2) (i32.const 16)))
            (local.set $a3 (i32.add (local.get $a3) (i32.const 16)))
            (local.set $yj (i32.add (local.get $yj) (i32.const 16)))
            (br $eachFour)))
        ;; then the n % 4 last columns one by one, with the same adds in the same order
        (block $oneDone
          (loop $eachOne
            (br_if $oneDone (i32.ge_u (local.get $yj) (local.get $yEnd)))
            (f32.store (local.get $yj)
              (f32.add (f32.load (local.get $yj))
                (f32.add
                  (f32.add (f32.mul (f32x4.extract_lane 0 (local.get $x0)) (f32.load (local.get $a0)))
                           (f32.mul (f32x4.extract_lane 0 (local.get $x1)) (f32.load (local.get $a1))))
                  (f32.add (f32.mul (f32x4.extract_lane 0 (local.get $x2)) (f32.load (local.get $a2)))
                           (f32.mul (f32x4.extract_lane 0 (local.get $x3)) (f32.load (local.get $a3)))))))
            (local.set $a0 (i32.add (local.get $a0) (i32.const 4)))
            (local.set $a1 (i32.add (local.get $a1) (i32.const 4)))
            (local.set $a2 (i32.add (local.get $a2) (i32.const 4)))
            (local.set $a3 (i32.add (local.get $a3) (i32.const 4)))
            (local.set $yj (i32.add (local.get $yj) (i32.const 4)))
            (br $eachOne)))
        (local.set $k (i32.add (local.get $k) (i32.const 4)))
        (br $eachFourRows)))
    ;; the K % 4 last rows, one at a time: y[j] += x[k] · W[k, j]
    (block $rowsDone
      (loop $eachRow
        (br_if $rowsDone (i32.ge_s (local.get $k) (local.get $K)))
        (local.set $a0 (i32.add (local.get $w) (i32.mul (local.get $k) (local.get $rowBytes))))
        (local.set $x0 (v128.load32_splat (i32.add (local.get $x) (i32.shl (local.get $k) (i32.const 2)))))
        (local.set $yj (local.get $y))
        (block $fourDone
          (loop $eachFour
            (br_if $fourDone (i32.ge_u (local.get $yj) (local.get $y4End)))
            (v128.store (local.get $yj)
              (f32x4.add (v128.load (local.get $yj)) (f32x4.mul (local.get $x0) (v128.load (local.get $a0)))))
            (local.set $a0 (i32.add (local.get $a0) (i32.const 16)))
            (local.set $yj (i32.add (local.get $yj) (i32.const 16)))
            (br $eachFour)))
        (block $oneDone
          (loop $eachOne
            (br_if $oneDone (i32.ge_u (local.get $yj) (local.get $yEnd)))
            (f32.store (local.get $yj)
              (f32.add (f32.load (local.get $yj)) (f32.mul (f32x4.extract_lane 0 (local.get $x0)) (f32.load (local.get $a0)))))
            (local.set $a0 (i32.add (local.get $a0) (i32.const 4)))
            (local.set $yj (i32.add (local.get $yj) (i32.const 4)))
            (br $eachOne)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $eachRow))))

  ;; dotRowsBatch: dotRows for M rows of x at once (a server's batch of two or three decoding
  ;; sequences, a short prompt): Y[m, j] = Σ_k X[m, k] · W[j, k] for m < M, j < rows. X is [M, K]
  ;; contiguous, Y's rows are yRowBytes apart.
  ;;
  ;;   for (j0 = 0; j0 < rows; j0 += 16)          // a block of 16 rows of W ...
  ;;     for (m = 0; m < M; m++)                  // ... used by every row of X while it is cached
  ;;       dotRows(X[m], W[j0 .. j0 + 16], Y[m, j0 ..])
  ;;
  ;; W is read from memory once per call instead of once per row of X: the block of 16 rows (16·K
  ;; floats; 18 KiB for K = 288) stays in the L1 / L2 cache for the M - 1 rows after the first.
  ;; Each Y[m, j] is summed exactly as dotRows sums it for that row alone.
  ;; NOTE: a register-blocked variant (4 rows of X x 2 rows of W, eight sums per step of four k)
  ;; was tried and measured no faster than this: without a fused multiply-add, wasm SIMD is bound
  ;; by the count of instructions either way, and from four rows gemm.wat is faster (matmul.ts).
  (func $dotRowsBatch (export "dotRowsBatch")
    (param $x i32) (param $M i32) (param $w i32) (param $y i32) (param $rows i32) (param $K i32)
    (param $rowBytes i32) (param $yRowBytes i32)
    (local $j0 i32) (local $n i32) (local $m i32)
    (local.set $j0 (i32.const 0))
    (block $blocksDone
      (loop $eachBlock
        (br_if $blocksDone (i32.ge_s (local.get $j0) (local.get $rows)))
        (local.set $n (i32.sub (local.get $rows) (local.get $j0)))
        (if (i32.gt_s (local.get $n) (i32.const 16)) (then (local.set $n (i32.const 16))))
        (local.set $m (i32.const 0))
        (block $rowsOfXDone
          (loop $eachRowOfX
            (br_if $rowsOfXDone (i32.ge_s (local.get $m) (local.get $M)))
            (call $dotRows
              (i32.add (local.get $x) (i32.shl (i32.mul (local.get $m) (local.get $K)) (i32.const 2)))
              (i32.add (local.get $w) (i32.mul (local.get $j0) (local.get $rowBytes)))
              (i32.add (i32.add (local.get $y) (i32.mul (local.get $m) (local.get $yRowBytes)))
                       (i32.shl (local.get $j0) (i32.const 2)))
              (local.get $n) (local.get $K) (local.get $rowBytes))
            (local.set $m (i32.add (local.get $m) (i32.const 1)))
            (br $eachRowOfX)))
        (local.set $j0 (i32.add (local.get $j0) (i32.const 16)))
        (br $eachBlock))))

  ;; axpyRowsBatch: axpyRows for M rows of x at once: Y[m, j] = Σ_k X[m, k] · W[k, j] for m < M and
  ;; the n columns j of W starting at w. X is [M, K] contiguous, Y's rows are yRowBytes apart.
  ;;
  ;;   for (j0 = 0; j0 < n; j0 += 64)             // a block of 64 columns of W (K x 64 floats) ...
  ;;     for (m = 0; m < M; m++)                  // ... used by every row of X while it is cached
  ;;       axpyRows(X[m], W[:, j0 .. j0 + 64], Y[m, j0 ..])
  ;;
  ;; The block is 192 KiB for K = 768 (GPT-2): it stays in the L2 cache for the rows after the first.
  (func $axpyRowsBatch (export "axpyRowsBatch")
    (param $x i32) (param $M i32) (param $w i32) (param $y i32) (param $K i32) (param $n i32)
    (param $rowBytes i32) (param $yRowBytes i32)
    (local $j0 i32) (local $cols i32) (local $m i32)
    (local.set $j0 (i32.const 0))
    (block $blocksDone
      (loop $eachBlock
        (br_if $blocksDone (i32.ge_s (local.get $j0) (local.get $n)))
        (local.set $cols (i32.sub (local.get $n) (local.get $j0)))
        (if (i32.gt_s (local.get $cols) (i32.const 64)) (then (local.set $cols (i32.const 64))))
        (local.set $m (i32.const 0))
        (block $rowsOfXDone
          (loop $eachRowOfX
            (br_if $rowsOfXDone (i32.ge_s (local.get $m) (local.get $M)))
            (call $axpyRows
              (i32.add (local.get $x) (i32.shl (i32.mul (local.get $m) (local.get $K)) (i32.const 2)))
              (i32.add (local.get $w) (i32.shl (local.get $j0) (i32.const 2)))
              (i32.add (i32.add (local.get $y) (i32.mul (local.get $m) (local.get $yRowBytes)))
                       (i32.shl (local.get $j0) (i32.const 2)))
              (local.get $K) (local.get $cols) (local.get $rowBytes))
            (local.set $m (i32.add (local.get $m) (i32.const 1)))
            (br $eachRowOfX)))
        (local.set $j0 (i32.add (local.get $j0) (i32.const 64)))
        (br $eachBlock))))
)

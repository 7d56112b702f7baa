;; unary.wat: the elementwise functions built on exp (exp, SiLU, GELU in both forms, and the
;; derivatives) four lanes at a time in WebAssembly SIMD. JavaScript's Math.exp / Math.tanh cost
;; 10-40 ns per element; these run the whole function in a few vector instructions.
;;
;; Every exported function is a loop over float32 arrays in the shared memory, with byte
;; addresses and n a multiple of 4 (the caller pads):
;;   f(x, out, n)       out[i] = f(x[i])               exp, silu, geluTanh, gelu
;;   f(x, g, out, n)    out[i] = g[i] · f'(x[i])        siluGrad, geluTanhGrad, geluGrad
;; and, at the end, the masked softmax rows of attention blocks and their gradient (softmaxRows,
;; softmaxGradRows: rows of any width, the exp of this file inline).
;; Arithmetic is float32 (the reference kernels use float64: results agree to a few float32 ulps,
;; and the tests check it).
;; Not here: copying in and out (unary.ts), threads, float64.
;; Reference: Cephes `expf.c` (S. Moshier); Press et al., Numerical Recipes, §6.2 `erfcc`;
;; @llmts/tensor's scalar.ts for the float64 definitions these match.

(module
  (import "env" "memory" (memory 1 32768 shared))

  ;; exp(x) = 2^k · e^r, with k = nearest(x / ln 2) and r = x − k·ln 2 in [−ln2/2, ln2/2]:
  ;;   e^r  Cephes expf's degree-7 polynomial (float32 accuracy, ~1 ulp): 1 + r + r²·P(r)
  ;;   2^k  the float whose exponent bits are k + 127 (an integer add and a shift)
  ;; x is clamped to [−87.34, 88.72] = [ln of the smallest normal float, ln FLT_MAX] first, and
  ;; 2^k is built as 2^min(k, 127) · (2 if k = 128), so it stays a normal float. Then, like the
  ;; float64 reference rounded to float32: x > 88.72 gives +Infinity, x < −87.34 gives 0 (the
  ;; reference's subnormal results are flushed), NaN stays NaN.
  (func $exp (param $x v128) (result v128)
    (local $t v128) (local $k v128) (local $p v128) (local $value v128)
    ;; t = clamp(x);  k = nearest(t · log2(e))
    (local.set $t (f32x4.max (f32x4.min (local.get $x) (v128.const f32x4 88.72283905206835 88.72283905206835 88.72283905206835 88.72283905206835))
                             (v128.const f32x4 -87.3365447504 -87.3365447504 -87.3365447504 -87.3365447504)))
    (local.set $k (f32x4.nearest (f32x4.mul (local.get $t) (v128.const f32x4 1.4426950408889634 1.4426950408889634 1.4426950408889634 1.4426950408889634))))
    ;; r = t − k·ln 2, with ln 2 in two pieces (Cody–Waite) so r keeps its low bits; r goes into $t
    (local.set $t (f32x4.sub (f32x4.sub (local.get $t) (f32x4.mul (local.get $k) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375)))
                             (f32x4.mul (local.get $k) (v128.const f32x4 -2.1219444e-4 -2.1219444e-4 -2.1219444e-4 -2.1219444e-4))))
    ;; P(r) by Horner's rule: ((((1.98756915e-4·r + 1.3981999507e-3)·r + ...)·r + 0.5
    (local.set $p (v128.const f32x4 1.98756915e-4 1.98756915e-4 1.98756915e-4 1.98756915e-4))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $t)) (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $t)) (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $t)) (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $t)) (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $t)) (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
    ;; value = e^r · 2^min(k, 127) · (k > 127 ? 2 : 1),  e^r = (P·r)·r + r + 1
    (local.set $value
      (f32x4.mul
        (f32x4.mul
          (f32x4.add (f32x4.add (f32x4.mul (f32x4.mul (local.get $p) (local.get $t)) (local.get $t)) (local.get $t))
                     (v128.const f32x4 1 1 1 1))
          ;; 2^min(k, 127): (int(k) + 127) << 23 are the bits of that float
          (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (f32x4.min (local.get $k) (v128.const f32x4 127 127 127 127)))
                                (v128.const i32x4 127 127 127 127))
                     (i32.const 23)))
        (v128.bitselect (v128.const f32x4 2 2 2 2) (v128.const f32x4 1 1 1 1)
                        (f32x4.gt (local.get $k) (v128.const f32x4 127 127 127 127)))))
    ;; x < −87.34 ? 0 : x > 88.72 ? +Infinity : value
    (v128.bitselect
      (v128.const f32x4 0 0 0 0)
      (v128.bitselect (v128.const f32x4 inf inf inf inf) (local.get $value)
                      (f32x4.gt (local.get $x) (v128.const f32x4 88.72283905206835 88.72283905206835 88.72283905206835 88.72283905206835)))
      (f32x4.lt (local.get $x) (v128.const f32x4 -87.3365447504 -87.3365447504 -87.3365447504 -87.3365447504))))

  ;; σ(x) = 1 / (1 + e^(−x))
  (func $sigmoid (param $x v128) (result v128)
    (f32x4.div (v128.const f32x4 1 1 1 1)
               (f32x4.add (v128.const f32x4 1 1 1 1) (call $exp (f32x4.neg (local.get $x))))))

  ;; 2u for the tanh form of GELU: u = √(2/π)(x + 0.044715x³), and x/2 · (1 + tanh u) = x · σ(2u)
  (func $twoU (param $x v128) (result v128)
    (f32x4.mul (v128.const f32x4 1.5957691216057308 1.5957691216057308 1.5957691216057308 1.5957691216057308)  ;; 2√(2/π)
               (f32x4.add (local.get $x)
                          (f32x4.mul (v128.const f32x4 0.044715 0.044715 0.044715 0.044715)
                                     (f32x4.mul (local.get $x) (f32x4.mul (local.get $x) (local.get $x)))))))

  ;; Φ(x) = erfc(−x/√2) / 2, the standard normal CDF, with Numerical Recipes' erfcc: for a = |z|,
  ;;   t = 1 / (1 + a/2),  erfc(a) = t · exp(−a² + poly(t))  (relative error < 1.2e-7 everywhere,
  ;; so no cancellation in the tails), and erfc(−a) = 2 − erfc(a).
  (func $phi (param $x v128) (result v128)
    (local $z v128) (local $a v128) (local $t v128) (local $poly v128) (local $erfcA v128)
    (local.set $z (f32x4.mul (local.get $x) (v128.const f32x4 0.7071067811865476 0.7071067811865476 0.7071067811865476 0.7071067811865476)))
    (local.set $a (f32x4.abs (local.get $z)))
    (local.set $t (f32x4.div (v128.const f32x4 1 1 1 1)
                             (f32x4.add (v128.const f32x4 1 1 1 1) (f32x4.mul (v128.const f32x4 0.5 0.5 0.5 0.5) (local.get $a)))))
    ;; poly(t) by Horner's rule, highest coefficient first
    (local.set $poly (v128.const f32x4 0.17087277 0.17087277 0.17087277 0.17087277))
    (local.set $poly (f32x4.add (f32x4.mul (local.get $poly) (local.get $t)) (v128.const f32x4 -0.82215223 -0.82215223 -0.82215223 -0.82215223)))
    (local.set $poly (f32x4.add (f32x4.mul (local.get $poly) (local.get $t)) (v128.const f32x4 1.48851587 1.48851587 1.48851587 1.48851587)))
    (local.set $poly (f32x4.add (f32x4.mul (local.get $poly) (local.get $t)) (v128.const f32x4 -1.13520398 -1.13520398 -1.13520398 -1.13520398)))
    (local.set $poly (f32x4.add (f32x4.mul (local.get $poly) (local.get $t)) (v128.const f32x4 0.27886807 0.27886807 0.27886807 0.27886807)))
    (local.set $poly (f32x4.add (f32x4.mul (local.get $poly) (local.get $t)) (v128.const f32x4 -0.18628806 -0.18628806 -0.18628806 -0.18628806)))
    (local.set $poly (f32x4.add (f32x4.mul (local.get $poly) (local.get $t)) (v128.const f32x4 0.09678418 0.09678418 0.09678418 0.09678418)))
    (local.set $poly (f32x4.add (f32x4.mul (local.get $poly) (local.get $t)) (v128.const f32x4 0.37409196 0.37409196 0.37409196 0.37409196)))
    (local.set $poly (f32x4.add (f32x4.mul (local.get $poly) (local.get $t)) (v128.const f32x4 1.00002368 1.00002368 1.00002368 1.00002368)))
    (local.set $poly (f32x4.add (f32x4.mul (local.get $poly) (local.get $t)) (v128.const f32x4 -1.26551223 -1.26551223 -1.26551223 -1.26551223)))
    (local.set $erfcA (f32x4.mul (local.get $t) (call $exp (f32x4.sub (local.get $poly) (f32x4.mul (local.get $a) (local.get $a))))))
    ;; Φ(x) = erfc(−z)/2: erfc(a) where z <= 0, 2 − erfc(a) elsewhere
    (f32x4.mul (v128.const f32x4 0.5 0.5 0.5 0.5)
               (v128.bitselect (local.get $erfcA)
                               (f32x4.sub (v128.const f32x4 2 2 2 2) (local.get $erfcA))
                               (f32x4.le (local.get $z) (v128.const f32x4 0 0 0 0)))))

  ;; The forward functions: for (i = 0; i < n; i++) out[i] = f(x[i]), four lanes per step.
  ;; ($i is a byte offset into both arrays.)

  ;; exp(x)
  (func (export "exp") (param $x i32) (param $out i32) (param $n i32)
    (local $i i32) (local $end i32)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $i (i32.const 0))
    (block $done
      (loop $each
        (br_if $done (i32.ge_s (local.get $i) (local.get $end)))
        (v128.store (i32.add (local.get $out) (local.get $i))
          (call $exp (v128.load (i32.add (local.get $x) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $each))))

  ;; silu(x) = x · σ(x)
  (func (export "silu") (param $x i32) (param $out i32) (param $n i32)
    (local $i i32) (local $end i32) (local $xi v128)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $i (i32.const 0))
    (block $done
      (loop $each
        (br_if $done (i32.ge_s (local.get $i) (local.get $end)))
        (local.set $xi (v128.load (i32.add (local.get $x) (local.get $i))))
        (v128.store (i32.add (local.get $out) (local.get $i))
          (f32x4.mul (local.get $xi) (call $sigmoid (local.get $xi))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $each))))

  ;; geluTanh(x) = x/2 · (1 + tanh u) = x · σ(2u)
  (func (export "geluTanh") (param $x i32) (param $out i32) (param $n i32)
    (local $i i32) (local $end i32) (local $xi v128)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $i (i32.const 0))
    (block $done
      (loop $each
        (br_if $done (i32.ge_s (local.get $i) (local.get $end)))
        (local.set $xi (v128.load (i32.add (local.get $x) (local.get $i))))
        (v128.store (i32.add (local.get $out) (local.get $i))
          (f32x4.mul (local.get $xi) (call $sigmoid (call $twoU (local.get $xi)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $each))))

  ;; gelu(x) = x · Φ(x)
  (func (export "gelu") (param $x i32) (param $out i32) (param $n i32)
    (local $i i32) (local $end i32) (local $xi v128)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $i (i32.const 0))
    (block $done
      (loop $each
        (br_if $done (i32.ge_s (local.get $i) (local.get $end)))
        (local.set $xi (v128.load (i32.add (local.get $x) (local.get $i))))
        (v128.store (i32.add (local.get $out) (local.get $i))
          (f32x4.mul (local.get $xi) (call $phi (local.get $xi))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $each))))

  ;; The derivatives: for (i = 0; i < n; i++) out[i] = g[i] · f'(x[i]).

  ;; silu'(x) = σ(x) · (1 + x(1 − σ(x)))
  (func (export "siluGrad") (param $x i32) (param $g i32) (param $out i32) (param $n i32)
    (local $i i32) (local $end i32) (local $xi v128) (local $s v128)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $i (i32.const 0))
    (block $done
      (loop $each
        (br_if $done (i32.ge_s (local.get $i) (local.get $end)))
        (local.set $xi (v128.load (i32.add (local.get $x) (local.get $i))))
        (local.set $s (call $sigmoid (local.get $xi)))
        (v128.store (i32.add (local.get $out) (local.get $i))
          (f32x4.mul (v128.load (i32.add (local.get $g) (local.get $i)))
                     (f32x4.mul (local.get $s)
                                (f32x4.add (v128.const f32x4 1 1 1 1)
                                           (f32x4.mul (local.get $xi) (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $s)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $each))))

  ;; geluTanh'(x) = s + x · s(1 − s) · 2u',  s = σ(2u),  2u' = 2√(2/π)(1 + 3·0.044715x²)
  (func (export "geluTanhGrad") (param $x i32) (param $g i32) (param $out i32) (param $n i32)
    (local $i i32) (local $end i32) (local $xi v128) (local $s v128) (local $twoDu v128)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $i (i32.const 0))
    (block $done
      (loop $each
        (br_if $done (i32.ge_s (local.get $i) (local.get $end)))
        (local.set $xi (v128.load (i32.add (local.get $x) (local.get $i))))
        (local.set $s (call $sigmoid (call $twoU (local.get $xi))))
        (local.set $twoDu
          (f32x4.mul (v128.const f32x4 1.5957691216057308 1.5957691216057308 1.5957691216057308 1.5957691216057308)
                     (f32x4.add (v128.const f32x4 1 1 1 1)
                                (f32x4.mul (v128.const f32x4 0.134145 0.134145 0.134145 0.134145)  ;; 3·0.044715
                                           (f32x4.mul (local.get $xi) (local.get $xi))))))
        (v128.store (i32.add (local.get $out) (local.get $i))
          (f32x4.mul (v128.load (i32.add (local.get $g) (local.get $i)))
                     (f32x4.add (local.get $s)
                                (f32x4.mul (f32x4.mul (local.get $xi)
                                                      (f32x4.mul (local.get $s) (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $s))))
                                           (local.get $twoDu)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $each))))

  ;; gelu'(x) = Φ(x) + x·φ(x),  φ(x) = e^(−x²/2) / √(2π)
  (func (export "geluGrad") (param $x i32) (param $g i32) (param $out i32) (param $n i32)
    (local $i i32) (local $end i32) (local $xi v128) (local $density v128)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $i (i32.const 0))
    (block $done
      (loop $each
        (br_if $done (i32.ge_s (local.get $i) (local.get $end)))
        (local.set $xi (v128.load (i32.add (local.get $x) (local.get $i))))
        (local.set $density
          (f32x4.mul (v128.const f32x4 0.3989422804014327 0.3989422804014327 0.3989422804014327 0.3989422804014327)  ;; 1/√(2π)
                     (call $exp (f32x4.mul (v128.const f32x4 -0.5 -0.5 -0.5 -0.5) (f32x4.mul (local.get $xi) (local.get $xi))))))
        (v128.store (i32.add (local.get $out) (local.get $i))
          (f32x4.mul (v128.load (i32.add (local.get $g) (local.get $i)))
                     (f32x4.add (call $phi (local.get $xi)) (f32x4.mul (local.get $xi) (local.get $density)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $each))))
  ;; The softmax rows of attention blocks (js/block-attention.ts): a block of M query rows holds
  ;; s [M, n] (row r's scores q_r · k_j for keys j0 .. j0+n-1), row r sees the columns
  ;; [lo_r, hi_r) (ranges: int32 pairs), and every masked column ends as 0.

  ;; softmaxRows, forward: p = exp(s·scale − m) / z on the visible columns, m = max_j s·scale and
  ;; z = Σ_j exp(s·scale − m) (the max keeps exp from overflowing); stats[r] = (m, z) for the caller's
  ;; log-sum-exp lse = m + log z (wasm has no log).
  ;;
  ;;   for (r = 0; r < M; r++)
  ;;     m = max_{lo ≤ j < hi} s[r, j]·scale;  s[r, j] = exp(s[r, j]·scale − m);  z = Σ s[r, j]
  ;;     s[r, j] /= z for lo ≤ j < hi, 0 elsewhere
  (func (export "softmaxRows")
    (param $s i32) (param $M i32) (param $n i32) (param $ranges i32) (param $scale f32) (param $stats i32)
    (local $r i32) (local $row i32) (local $a i32) (local $b i32) (local $p i32)  ;; row, &s[r, lo], &s[r, hi]
    (local $vs v128) (local $vm v128) (local $vz v128) (local $e v128)
    (local $m f32) (local $z f32) (local $x f32)
    (local.set $vs (f32x4.splat (local.get $scale)))
    (local.set $r (i32.const 0))
    (block $rowsDone
      (loop $eachRow
        (br_if $rowsDone (i32.ge_s (local.get $r) (local.get $M)))
        (local.set $row (i32.add (local.get $s) (i32.shl (i32.mul (local.get $r) (local.get $n)) (i32.const 2))))
        (local.set $a (i32.add (local.get $row) (i32.shl (i32.load (i32.add (local.get $ranges) (i32.shl (local.get $r) (i32.const 3)))) (i32.const 2))))
        (local.set $b (i32.add (local.get $row) (i32.shl (i32.load offset=4 (i32.add (local.get $ranges) (i32.shl (local.get $r) (i32.const 3)))) (i32.const 2))))
        ;; m: four lanes at a time, then the last few one by one
        (local.set $vm (v128.const f32x4 -inf -inf -inf -inf))
        (local.set $p (local.get $a))
        (block $done (loop $each
          (br_if $done (i32.gt_u (i32.add (local.get $p) (i32.const 16)) (local.get $b)))
          (local.set $vm (f32x4.max (local.get $vm) (f32x4.mul (v128.load (local.get $p)) (local.get $vs))))
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (br $each)))
        (local.set $m (f32.max (f32.max (f32x4.extract_lane 0 (local.get $vm)) (f32x4.extract_lane 1 (local.get $vm)))
                               (f32.max (f32x4.extract_lane 2 (local.get $vm)) (f32x4.extract_lane 3 (local.get $vm)))))
        (block $done (loop $each
          (br_if $done (i32.ge_u (local.get $p) (local.get $b)))
          (local.set $m (f32.max (local.get $m) (f32.mul (f32.load (local.get $p)) (local.get $scale))))
          (local.set $p (i32.add (local.get $p) (i32.const 4)))
          (br $each)))
        ;; s = exp(s·scale − m), and its sum z
        (local.set $vm (f32x4.splat (local.get $m)))
        (local.set $vz (v128.const f32x4 0 0 0 0))
        (local.set $p (local.get $a))
        (block $done (loop $each
          (br_if $done (i32.gt_u (i32.add (local.get $p) (i32.const 16)) (local.get $b)))
          (local.set $e (call $exp (f32x4.sub (f32x4.mul (v128.load (local.get $p)) (local.get $vs)) (local.get $vm))))
          (v128.store (local.get $p) (local.get $e))
          (local.set $vz (f32x4.add (local.get $vz) (local.get $e)))
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (br $each)))
        (local.set $z (f32.add (f32.add (f32x4.extract_lane 0 (local.get $vz)) (f32x4.extract_lane 1 (local.get $vz)))
                               (f32.add (f32x4.extract_lane 2 (local.get $vz)) (f32x4.extract_lane 3 (local.get $vz)))))
        (block $done (loop $each
          (br_if $done (i32.ge_u (local.get $p) (local.get $b)))
          (local.set $x (f32x4.extract_lane 0
            (call $exp (f32x4.splat (f32.sub (f32.mul (f32.load (local.get $p)) (local.get $scale)) (local.get $m))))))
          (f32.store (local.get $p) (local.get $x))
          (local.set $z (f32.add (local.get $z) (local.get $x)))
          (local.set $p (i32.add (local.get $p) (i32.const 4)))
          (br $each)))
        ;; s /= z on the visible columns, 0 on the others
        (call $scaleRange (local.get $a) (local.get $b) (f32.div (f32.const 1) (local.get $z)))
        (memory.fill (local.get $row) (i32.const 0) (i32.sub (local.get $a) (local.get $row)))
        (memory.fill (local.get $b) (i32.const 0)
          (i32.sub (i32.add (local.get $row) (i32.shl (local.get $n) (i32.const 2))) (local.get $b)))
        (f32.store (i32.add (local.get $stats) (i32.shl (local.get $r) (i32.const 3))) (local.get $m))
        (f32.store offset=4 (i32.add (local.get $stats) (i32.shl (local.get $r) (i32.const 3))) (local.get $z))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $eachRow))))

  ;; x[i] *= c for a ≤ &x[i] < b (byte addresses)
  (func $scaleRange (param $a i32) (param $b i32) (param $c f32)
    (local $vc v128)
    (local.set $vc (f32x4.splat (local.get $c)))
    (block $done (loop $each
      (br_if $done (i32.gt_u (i32.add (local.get $a) (i32.const 16)) (local.get $b)))
      (v128.store (local.get $a) (f32x4.mul (v128.load (local.get $a)) (local.get $vc)))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (br $each)))
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $a) (local.get $b)))
      (f32.store (local.get $a) (f32.mul (f32.load (local.get $a)) (local.get $c)))
      (local.set $a (i32.add (local.get $a) (i32.const 4)))
      (br $each))))

  ;; softmaxGradRows, backward: with the forward's lse per row, and d = dP [M, n] (the gradient
  ;; of the probabilities):
  ;;
  ;;   for (r = 0; r < M; r++)
  ;;     s[r, j] = P = exp(s[r, j]·scale − lse[r])            lo ≤ j < hi (the forward's p)
  ;;     D = Σ_j P[r, j] · d[r, j]
  ;;     d[r, j] = P[r, j] · (d[r, j] − D) · scale           (dS, the gradient of the scores)
  ;;   and s, d = 0 on the masked columns
  (func (export "softmaxGradRows")
    (param $s i32) (param $d i32) (param $M i32) (param $n i32) (param $ranges i32) (param $scale f32) (param $lse i32)
    (local $r i32) (local $rowBytes i32) (local $lo i32) (local $hi i32) (local $j i32) (local $off i32)
    (local $vs v128) (local $vl v128) (local $e v128) (local $vD v128) (local $vDi v128)
    (local $D f32) (local $x f32)
    (local.set $vs (f32x4.splat (local.get $scale)))
    (local.set $rowBytes (i32.shl (local.get $n) (i32.const 2)))
    (local.set $r (i32.const 0))
    (block $rowsDone
      (loop $eachRow
        (br_if $rowsDone (i32.ge_s (local.get $r) (local.get $M)))
        (local.set $lo (i32.shl (i32.load (i32.add (local.get $ranges) (i32.shl (local.get $r) (i32.const 3)))) (i32.const 2)))
        (local.set $hi (i32.shl (i32.load offset=4 (i32.add (local.get $ranges) (i32.shl (local.get $r) (i32.const 3)))) (i32.const 2)))
        (local.set $off (i32.mul (local.get $r) (local.get $rowBytes)))  ;; row r's byte offset in s and d
        (local.set $vl (v128.load32_splat (i32.add (local.get $lse) (i32.shl (local.get $r) (i32.const 2)))))
        ;; P = exp(s·scale − lse), D = Σ P·d
        (local.set $vD (v128.const f32x4 0 0 0 0))
        (local.set $j (local.get $lo))
        (block $done (loop $each
          (br_if $done (i32.gt_s (i32.add (local.get $j) (i32.const 16)) (local.get $hi)))
          (local.set $e (call $exp (f32x4.sub (f32x4.mul (v128.load (i32.add (local.get $s) (i32.add (local.get $off) (local.get $j)))) (local.get $vs))
                                              (local.get $vl))))
          (v128.store (i32.add (local.get $s) (i32.add (local.get $off) (local.get $j))) (local.get $e))
          (local.set $vD (f32x4.add (local.get $vD)
            (f32x4.mul (local.get $e) (v128.load (i32.add (local.get $d) (i32.add (local.get $off) (local.get $j)))))))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br $each)))
        (local.set $D (f32.add (f32.add (f32x4.extract_lane 0 (local.get $vD)) (f32x4.extract_lane 1 (local.get $vD)))
                               (f32.add (f32x4.extract_lane 2 (local.get $vD)) (f32x4.extract_lane 3 (local.get $vD)))))
        (block $done (loop $each
          (br_if $done (i32.ge_s (local.get $j) (local.get $hi)))
          (local.set $x (f32x4.extract_lane 0
            (call $exp (f32x4.sub (f32x4.mul (v128.load32_splat (i32.add (local.get $s) (i32.add (local.get $off) (local.get $j)))) (local.get $vs))
                                  (local.get $vl)))))
          (f32.store (i32.add (local.get $s) (i32.add (local.get $off) (local.get $j))) (local.get $x))
          (local.set $D (f32.add (local.get $D) (f32.mul (local.get $x) (f32.load (i32.add (local.get $d) (i32.add (local.get $off) (local.get $j)))))))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br $each)))
        ;; dS = P · (d − D) · scale
        (local.set $vDi (f32x4.splat (local.get $D)))
        (local.set $j (local.get $lo))
        (block $done (loop $each
          (br_if $done (i32.gt_s (i32.add (local.get $j) (i32.const 16)) (local.get $hi)))
          (v128.store (i32.add (local.get $d) (i32.add (local.get $off) (local.get $j)))
            (f32x4.mul (f32x4.mul (v128.load (i32.add (local.get $s) (i32.add (local.get $off) (local.get $j))))
                                  (f32x4.sub (v128.load (i32.add (local.get $d) (i32.add (local.get $off) (local.get $j)))) (local.get $vDi)))
                       (local.get $vs)))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br $each)))
        (block $done (loop $each
          (br_if $done (i32.ge_s (local.get $j) (local.get $hi)))
          (f32.store (i32.add (local.get $d) (i32.add (local.get $off) (local.get $j)))
            (f32.mul (f32.mul (f32.load (i32.add (local.get $s) (i32.add (local.get $off) (local.get $j))))
                              (f32.sub (f32.load (i32.add (local.get $d) (i32.add (local.get $off) (local.get $j)))) (local.get $D)))
                     (local.get $scale)))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br $each)))
        ;; 0 on the masked columns of both
        (memory.fill (i32.add (local.get $s) (local.get $off)) (i32.const 0) (local.get $lo))
        (memory.fill (i32.add (local.get $d) (local.get $off)) (i32.const 0) (local.get $lo))
        (memory.fill (i32.add (local.get $s) (i32.add (local.get $off) (local.get $hi))) (i32.const 0) (i32.sub (local.get $rowBytes) (local.get $hi)))
        (memory.fill (i32.add (local.get $d) (i32.add (local.get $off) (local.get $hi))) (i32.const 0) (i32.sub (local.get $rowBytes) (local.get $hi)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $eachRow))))
)

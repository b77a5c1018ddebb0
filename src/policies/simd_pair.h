// Two IEEE double divisions at once (SSE2 divpd when available). Each lane is the correctly
// rounded quotient, identical to the scalar a / b, so bit-exact reference runs are unaffected.
#pragma once

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace dysta::detail {

inline void divide_pair(double a0, double b0, double a1, double b1, double& q0, double& q1) {
#if defined(__SSE2__)
  const __m128d q = _mm_div_pd(_mm_set_pd(a1, a0), _mm_set_pd(b1, b0));
  q0 = _mm_cvtsd_f64(q);
  q1 = _mm_cvtsd_f64(_mm_unpackhi_pd(q, q));
#else
  q0 = a0 / b0;
  q1 = a1 / b1;
#endif
}

}  // namespace dysta::detail

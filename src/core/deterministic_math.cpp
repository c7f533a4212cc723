// The C library's double-precision elementary functions, for the code of apmsim alone:
// SLEEF's deterministic ("cinz": no fused multiply-add, the same bits from every
// implementation) functions in place of the C library's.
//
// Why: glibc picks one of two implementations of exp, log, log1p, pow, sin, atan2 and
// others when a program starts, with fused multiply-adds on processors that have them
// (most x86-64 since 2013) and without on the others. The two round differently in rare
// cases, so a simulation of millions of draws gave different last bits on a processor
// without FMA (GLIBC_TUNABLES=glibc.cpu.hwcaps=-FMA shows it on any machine), and the
// results would also move with glibc's version. Defined here, hidden, these definitions
// bind every call in apmsim's code, Boost.Math's and Eigen's included (they call the C
// names), and nothing outside it: a program or Python process that links apmsim keeps
// its own C library for its own calls.
//
// Accuracy: SLEEF's bound in ULP is in each name (u10: 1.0 ULP, u05: 0.5, u15: 1.5); the
// C library's are about 0.5-1 ULP for these. No errno is set (apmsim reads none).

#include <sleef.h>

#define APMSIM_DETERMINISTIC extern "C" __attribute__((visibility("hidden")))

#if defined(__SSE2__)
// SSE2's version of the same function (the same bits: cinz) is twice as fast as the plain C one.
APMSIM_DETERMINISTIC double exp(double x) noexcept { return _mm_cvtsd_f64(Sleef_cinz_expd2_u10sse2(_mm_set_sd(x))); }
#else
APMSIM_DETERMINISTIC double exp(double x) noexcept { return Sleef_cinz_expd1_u10purec(x); }
#endif
APMSIM_DETERMINISTIC double exp2(double x) noexcept { return Sleef_cinz_exp2d1_u10purec(x); }
APMSIM_DETERMINISTIC double exp10(double x) noexcept { return Sleef_cinz_exp10d1_u10purec(x); }
APMSIM_DETERMINISTIC double expm1(double x) noexcept { return Sleef_cinz_expm1d1_u10purec(x); }
APMSIM_DETERMINISTIC double log(double x) noexcept { return Sleef_cinz_logd1_u10purec(x); }
APMSIM_DETERMINISTIC double log2(double x) noexcept { return Sleef_cinz_log2d1_u10purec(x); }
APMSIM_DETERMINISTIC double log10(double x) noexcept { return Sleef_cinz_log10d1_u10purec(x); }
APMSIM_DETERMINISTIC double log1p(double x) noexcept { return Sleef_cinz_log1pd1_u10purec(x); }
APMSIM_DETERMINISTIC double pow(double x, double y) noexcept { return Sleef_cinz_powd1_u10purec(x, y); }
APMSIM_DETERMINISTIC double cbrt(double x) noexcept { return Sleef_cinz_cbrtd1_u10purec(x); }
APMSIM_DETERMINISTIC double hypot(double x, double y) noexcept { return Sleef_cinz_hypotd1_u05purec(x, y); }
APMSIM_DETERMINISTIC double sin(double x) noexcept { return Sleef_cinz_sind1_u10purec(x); }
APMSIM_DETERMINISTIC double cos(double x) noexcept { return Sleef_cinz_cosd1_u10purec(x); }
APMSIM_DETERMINISTIC double tan(double x) noexcept { return Sleef_cinz_tand1_u10purec(x); }
APMSIM_DETERMINISTIC void sincos(double x, double* s, double* c) noexcept {
    const Sleef_double_2 both = Sleef_cinz_sincosd1_u10purec(x);
    *s = both.x;
    *c = both.y;
}
APMSIM_DETERMINISTIC double asin(double x) noexcept { return Sleef_cinz_asind1_u10purec(x); }
APMSIM_DETERMINISTIC double acos(double x) noexcept { return Sleef_cinz_acosd1_u10purec(x); }
APMSIM_DETERMINISTIC double atan(double x) noexcept { return Sleef_cinz_atand1_u10purec(x); }
APMSIM_DETERMINISTIC double atan2(double y, double x) noexcept { return Sleef_cinz_atan2d1_u10purec(y, x); }
APMSIM_DETERMINISTIC double sinh(double x) noexcept { return Sleef_cinz_sinhd1_u10purec(x); }
APMSIM_DETERMINISTIC double cosh(double x) noexcept { return Sleef_cinz_coshd1_u10purec(x); }
APMSIM_DETERMINISTIC double tanh(double x) noexcept { return Sleef_cinz_tanhd1_u10purec(x); }
APMSIM_DETERMINISTIC double asinh(double x) noexcept { return Sleef_cinz_asinhd1_u10purec(x); }
APMSIM_DETERMINISTIC double acosh(double x) noexcept { return Sleef_cinz_acoshd1_u10purec(x); }
APMSIM_DETERMINISTIC double atanh(double x) noexcept { return Sleef_cinz_atanhd1_u10purec(x); }
APMSIM_DETERMINISTIC double erf(double x) noexcept { return Sleef_cinz_erfd1_u10purec(x); }
APMSIM_DETERMINISTIC double erfc(double x) noexcept { return Sleef_cinz_erfcd1_u15purec(x); }
APMSIM_DETERMINISTIC double tgamma(double x) noexcept { return Sleef_cinz_tgammad1_u10purec(x); }
APMSIM_DETERMINISTIC double lgamma(double x) noexcept { return Sleef_cinz_lgammad1_u10purec(x); }

// Loads OpenBLAS on first use (see openblas.h).
#include "kernels/cpu/openblas.h"

#include <dlfcn.h>

#include "ember/core/error.h"

#ifndef EMBER_OPENBLAS_LIBRARY
#error "EMBER_OPENBLAS_LIBRARY (the path of libopenblas.so.0) is set by CMakeLists.txt"
#endif

namespace ember {
namespace kernels {
namespace openblas {

namespace {
template <typename Fn>
void resolve(void* library, Fn& fn, const char* name) {
  fn = reinterpret_cast<Fn>(dlsym(library, name));
  EMBER_CHECK(fn, "OpenBLAS at ", EMBER_OPENBLAS_LIBRARY, " has no symbol ", name,
              ": reinstall libopenblas0-openmp (scripts/setup.sh)");
}

Api load() {
  // Local scope: OpenBLAS's many BLAS and LAPACK names stay out of the program's namespace.
  void* library = dlopen(EMBER_OPENBLAS_LIBRARY, RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    const char* why = dlerror();
    fail("OpenBLAS could not be loaded (", why ? why : EMBER_OPENBLAS_LIBRARY,
         "); double-precision matrix products and the linalg routines need it: install "
         "libopenblas0-openmp (scripts/setup.sh)");
  }
  Api a{};
  resolve(library, a.dgemm, "cblas_dgemm");
  resolve(library, a.strsm, "cblas_strsm");
  resolve(library, a.dtrsm, "cblas_dtrsm");
  resolve(library, a.sgetrf, "sgetrf_");
  resolve(library, a.dgetrf, "dgetrf_");
  resolve(library, a.sgetrs, "sgetrs_");
  resolve(library, a.dgetrs, "dgetrs_");
  resolve(library, a.spotrf, "spotrf_");
  resolve(library, a.dpotrf, "dpotrf_");
  resolve(library, a.sgeqrf, "sgeqrf_");
  resolve(library, a.dgeqrf, "dgeqrf_");
  resolve(library, a.sorgqr, "sorgqr_");
  resolve(library, a.dorgqr, "dorgqr_");
  resolve(library, a.sormqr, "sormqr_");
  resolve(library, a.dormqr, "dormqr_");
  resolve(library, a.ssyevd, "ssyevd_");
  resolve(library, a.dsyevd, "dsyevd_");
  resolve(library, a.sgesdd, "sgesdd_");
  resolve(library, a.dgesdd, "dgesdd_");
  // OpenMP's runtime is one of OpenBLAS's own dependencies, found through its handle.
  resolve(library, a.omp_get_max_threads, "omp_get_max_threads");
  resolve(library, a.omp_set_num_threads, "omp_set_num_threads");
  return a;
}
}  // namespace

const Api& api() {
  static const Api loaded = load();  // a failed load throws and is tried again on the next call
  if (loaded.omp_get_max_threads() != 1) loaded.omp_set_num_threads(1);
  return loaded;
}

}  // namespace openblas
}  // namespace kernels
}  // namespace ember

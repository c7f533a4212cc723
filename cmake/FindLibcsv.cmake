# FindLibcsv: libcsv, the CSV parser under apmsim/core/csv.hpp (Debian: libcsv-dev), which
# ships no CMake or pkg-config file. Defines Libcsv_FOUND, Libcsv_VERSION, Libcsv_INCLUDE_DIR,
# Libcsv_LIBRARY and the imported target Libcsv::Libcsv.
find_path(Libcsv_INCLUDE_DIR NAMES csv.h)
find_library(Libcsv_LIBRARY NAMES csv)
# csv.h is a common name: only libcsv's defines CSV_MAJOR.
if(Libcsv_INCLUDE_DIR AND EXISTS "${Libcsv_INCLUDE_DIR}/csv.h")
  file(STRINGS "${Libcsv_INCLUDE_DIR}/csv.h" _libcsv_defines REGEX "^#define CSV_(MAJOR|MINOR|RELEASE) +[0-9]+")
  set(Libcsv_VERSION "")
  foreach(_part MAJOR MINOR RELEASE)
    if(_libcsv_defines MATCHES "#define CSV_${_part} +([0-9]+)")
      string(APPEND Libcsv_VERSION "${CMAKE_MATCH_1}.")
    endif()
  endforeach()
  string(REGEX REPLACE "\\.$" "" Libcsv_VERSION "${Libcsv_VERSION}")
  if(Libcsv_VERSION STREQUAL "")
    set(Libcsv_INCLUDE_DIR Libcsv_INCLUDE_DIR-NOTFOUND)
  endif()
endif()
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Libcsv REQUIRED_VARS Libcsv_LIBRARY Libcsv_INCLUDE_DIR VERSION_VAR Libcsv_VERSION)
if(Libcsv_FOUND AND NOT TARGET Libcsv::Libcsv)
  add_library(Libcsv::Libcsv UNKNOWN IMPORTED)
  set_target_properties(Libcsv::Libcsv PROPERTIES
    IMPORTED_LOCATION "${Libcsv_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${Libcsv_INCLUDE_DIR}")
endif()
mark_as_advanced(Libcsv_INCLUDE_DIR Libcsv_LIBRARY)

# Helpers that give every project target the same warnings, sanitizers and test wiring.

function(kolibri_project_flags target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Werror
    -Wno-missing-field-initializers)
  if(KOLIBRI_SANITIZER)
    string(REPLACE ";" "," san "${KOLIBRI_SANITIZER}")
    target_compile_options(${target} PRIVATE -fsanitize=${san} -fno-omit-frame-pointer
      -fno-sanitize-recover=all)
    target_link_options(${target} PRIVATE -fsanitize=${san})
  endif()
endfunction()

# kolibri_module(NAME SOURCES a.cc b.cc DEPS other_targets PRIVATE_DEPS ...)
# Defines library kolibri_<NAME> with include/ public and src/ private headers.
function(kolibri_module name)
  cmake_parse_arguments(M "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(kolibri_${name} STATIC ${M_SOURCES})
  target_include_directories(kolibri_${name}
    PUBLIC ${PROJECT_SOURCE_DIR}/include
    PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(kolibri_${name} PUBLIC ${M_DEPS} PRIVATE ${M_PRIVATE_DEPS})
  kolibri_project_flags(kolibri_${name})
endfunction()

# kolibri_test(NAME SOURCES a_test.cc DEPS targets LABELS unit|model|server ...)
# A GoogleTest binary registered with ctest under the given labels (default: unit).
function(kolibri_test name)
  if(NOT KOLIBRI_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  add_executable(${name} ${T_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name} PRIVATE ${T_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
  kolibri_project_flags(${name})
  add_test(NAME ${name} COMMAND ${name})
  if("unit" IN_LIST T_LABELS)
    set_property(GLOBAL APPEND PROPERTY KOLIBRI_UNIT_TESTS ${name})
  endif()
  set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT}
    ENVIRONMENT "KOLIBRI_TEST_DATA=${PROJECT_BINARY_DIR}/testdata;KOLIBRI_SOURCE_DIR=${PROJECT_SOURCE_DIR};KOLIBRI_BIN=${PROJECT_BINARY_DIR}/bin/kolibri")
endfunction()

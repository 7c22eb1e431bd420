# Finds or makes the pinned llama.cpp build and defines imported targets:
#   llama::llama   (llama.h, ggml)          — for the engine module only
#   llama::common  (common.h, chat.h: Jinja chat templates)
# The build lives in a cache outside the work tree (scripts/bootstrap.sh), keyed by commit,
# options and CPU features; configure reuses it or makes it once.

set(KOLIBRI_LLAMA_COMMIT de3ff815ea7d559ee917f063901b8986f038abc6)

# Unless the user names an entry, ask the bootstrap script on every configure: it answers
# at once from the cache, and a changed key (options, CPU, compiler) gets its own build.
if(KOLIBRI_LLAMA_PREBUILT)
  set(_llama_dir "${KOLIBRI_LLAMA_PREBUILT}")
else()
  set(_boot_args --no-apt --print-dir --backend ${KOLIBRI_BACKEND})
  if(KOLIBRI_SANITIZER MATCHES "thread")
    list(APPEND _boot_args --variant tsan)
  endif()
  if(KOLIBRI_LLAMA_SOURCE)
    list(APPEND _boot_args --llama-src ${KOLIBRI_LLAMA_SOURCE})
  endif()
  message(STATUS "llama.cpp: scripts/bootstrap.sh ${_boot_args}")
  execute_process(
    COMMAND ${PROJECT_SOURCE_DIR}/scripts/bootstrap.sh ${_boot_args}
    OUTPUT_VARIABLE _llama_dir OUTPUT_STRIP_TRAILING_WHITESPACE
    RESULT_VARIABLE _boot_rc)
  if(NOT _boot_rc EQUAL 0)
    message(FATAL_ERROR "llama.cpp bootstrap failed (exit ${_boot_rc}); see the messages above")
  endif()
endif()

set(_src "${_llama_dir}/src")
set(_bld "${_llama_dir}/build")
execute_process(COMMAND git -C "${_src}" rev-parse HEAD OUTPUT_VARIABLE _head
  OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE _git_rc)
if(NOT _git_rc EQUAL 0 OR NOT _head STREQUAL KOLIBRI_LLAMA_COMMIT)
  message(FATAL_ERROR "llama.cpp at '${_src}' is '${_head}', not the pinned ${KOLIBRI_LLAMA_COMMIT}")
endif()
set(KOLIBRI_LLAMA_SOURCE_DIR "${_src}" CACHE INTERNAL "")
set(KOLIBRI_LLAMA_BUILD_DIR "${_bld}" CACHE INTERNAL "")

function(_kolibri_import name path)
  if(NOT EXISTS "${path}")
    message(FATAL_ERROR "llama.cpp library missing: ${path} (rerun scripts/bootstrap.sh)")
  endif()
  add_library(${name} STATIC IMPORTED GLOBAL)
  set_target_properties(${name} PROPERTIES IMPORTED_LOCATION "${path}")
endfunction()

_kolibri_import(llama_lib_ggml_base "${_bld}/ggml/src/libggml-base.a")
_kolibri_import(llama_lib_ggml_cpu "${_bld}/ggml/src/libggml-cpu.a")
_kolibri_import(llama_lib_ggml "${_bld}/ggml/src/libggml.a")
_kolibri_import(llama_lib_llama "${_bld}/src/libllama.a")
_kolibri_import(llama_lib_common "${_bld}/common/libllama-common.a")
_kolibri_import(llama_lib_common_base "${_bld}/common/libllama-common-base.a")

set(_ggml_deps Threads::Threads ${CMAKE_DL_LIBS} m)
if(NOT KOLIBRI_SANITIZER MATCHES "thread")
  find_package(OpenMP REQUIRED)
  list(APPEND _ggml_deps OpenMP::OpenMP_CXX)
endif()
set(_backend_libs)
if(KOLIBRI_BACKEND STREQUAL "cuda")
  _kolibri_import(llama_lib_ggml_cuda "${_bld}/ggml/src/ggml-cuda/libggml-cuda.a")
  find_package(CUDAToolkit REQUIRED)
  list(APPEND _backend_libs llama_lib_ggml_cuda CUDA::cudart_static CUDA::cublas_static CUDA::cublasLt_static CUDA::cuda_driver)
  set(KOLIBRI_HAVE_CUDA 1)
elseif(KOLIBRI_BACKEND STREQUAL "vulkan")
  _kolibri_import(llama_lib_ggml_vulkan "${_bld}/ggml/src/ggml-vulkan/libggml-vulkan.a")
  find_package(Vulkan REQUIRED)
  list(APPEND _backend_libs llama_lib_ggml_vulkan Vulkan::Vulkan)
endif()

add_library(llama_llama INTERFACE)
target_include_directories(llama_llama SYSTEM INTERFACE "${_src}/include" "${_src}/ggml/include")
target_link_libraries(llama_llama INTERFACE llama_lib_llama llama_lib_ggml ${_backend_libs}
  llama_lib_ggml_cpu llama_lib_ggml_base ${_ggml_deps})
add_library(llama::llama ALIAS llama_llama)

add_library(llama_common INTERFACE)
target_include_directories(llama_common SYSTEM INTERFACE "${_src}/common" "${_src}/vendor")
target_link_libraries(llama_common INTERFACE llama_lib_common llama_lib_common_base llama::llama)
add_library(llama::common ALIAS llama_common)

string(SUBSTRING "${KOLIBRI_LLAMA_COMMIT}" 0 12 KOLIBRI_LLAMA_COMMIT_SHORT)
message(STATUS "llama.cpp ${KOLIBRI_LLAMA_COMMIT_SHORT} (${KOLIBRI_BACKEND}) from ${_llama_dir}")

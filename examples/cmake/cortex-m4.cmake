# Toolchain file: arm-none-eabi-gcc for the Cortex-M4F of QEMU's mps2-an386
# board (the flags of runtime/platform/cortex-m/build.sh).
#   cmake -S examples/cmake -B build-m4 -DCMAKE_TOOLCHAIN_FILE=examples/cmake/cortex-m4.cmake
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_ASM_COMPILER arm-none-eabi-gcc)
# No C library start files to link a test program with: check the compiler
# with a static library.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_C_FLAGS_INIT "-mthumb -mcpu=cortex-m4 -mfloat-abi=hard -mfpu=fpv4-sp-d16 -ffunction-sections -fdata-sections")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-mthumb -mcpu=cortex-m4 -mfloat-abi=hard -mfpu=fpv4-sp-d16 -nostartfiles --specs=nano.specs -Wl,--gc-sections")
# Programs (ember) from the host; libraries and headers from the target's
# sysroot. Packages from anywhere: ember's package is a host installation.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(EXAMPLE_BOARD mps2-an386 CACHE STRING "QEMU board of the firmware")
set(EXAMPLE_CORE cortex-m4 CACHE STRING "ember_add_model's CORE")

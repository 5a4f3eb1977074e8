# cmake -DIN=input.bin -DOUT=input.c -P bin2c.cmake: the bytes of IN as the C
# array `example_input` and its size `example_input_size`.
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" n)
math(EXPR size "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "((0x..,){16})" "\\1\n  " bytes "${bytes}")
if(size EQUAL 0)
  set(bytes "0")
endif()
file(WRITE "${OUT}" "/* Generated from ${IN} by bin2c.cmake. */
#include <stddef.h>
#include <stdint.h>
const uint8_t example_input[] __attribute__((aligned(16))) = {
  ${bytes}
};
const size_t example_input_size = ${size};
")

// gemmlowp fixed-point helpers: placeholder

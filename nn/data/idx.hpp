#pragma once
/// @ingroup nn
/// The IDX files of MNIST and Fashion-MNIST (train-images-idx3-ubyte, ...), plain or
/// gzip-compressed (read by their magic bytes, whatever the name).
///
/// Format: a big-endian magic 0x0000_08_DD (08: unsigned bytes, DD: the number of
/// dimensions), DD big-endian 32-bit sizes, then the bytes in row-major order.
/// Images are 3-dimensional [N, rows, cols], labels 1-dimensional [N].
#include <string>

#include "../../graph/tensor.hpp"
#include "dataset.hpp"

namespace tg::nn {

struct IdxOptions {
    bool scale = false;  ///< images: divide by 255, to [0, 1] (labels are never scaled)
    DType dtype = DType::f32;
};

/// Images [N, rows, cols] as floats (0..255, or 0..1 with scale). Throws tg::IoError
/// naming the file for a magic number other than 0x00000803, or a file shorter
/// (or longer) than its header says.
Tensor read_idx_images(const std::string& path, IdxOptions options = {});
/// Labels [N] as floats. Throws tg::IoError naming the file for a magic number other
/// than 0x00000801 or a wrong length.
Tensor read_idx_labels(const std::string& path, IdxOptions options = {});
/// Images and labels as a Dataset {x [N, rows, cols], y [N]}; throws tg::IoError when
/// their counts differ, naming both files.
Dataset read_idx(const std::string& images_path, const std::string& labels_path, IdxOptions options = {});

}  // namespace tg::nn

// nn::init: in-place initializers (run without recording history) and calculate_gain.
#pragma once
#include "ember/core/tensor.h"

namespace ember {
namespace nn {
namespace init {

enum class FanMode { FanIn, FanOut };
enum class Nonlinearity { Linear, Conv1D, Conv2D, Conv3D, ConvTranspose1D, ConvTranspose2D, ConvTranspose3D, Sigmoid,
                          Tanh, ReLU, LeakyReLU };
using FanModeType = FanMode;
using NonlinearityType = Nonlinearity;

double calculate_gain(Nonlinearity nonlinearity, double param = 0.01);
// (fan_in, fan_out) of a weight of at least 2 dims.
std::tuple<int64_t, int64_t> _calculate_fan_in_and_fan_out(const Tensor& tensor);

Tensor constant_(Tensor tensor, Scalar value);
Tensor zeros_(Tensor tensor);
Tensor ones_(Tensor tensor);
Tensor eye_(Tensor matrix);
Tensor uniform_(Tensor tensor, double low = 0, double high = 1);
Tensor normal_(Tensor tensor, double mean = 0, double std = 1);
Tensor xavier_uniform_(Tensor tensor, double gain = 1.0);
Tensor xavier_normal_(Tensor tensor, double gain = 1.0);
Tensor kaiming_uniform_(Tensor tensor, double a = 0, FanMode mode = FanMode::FanIn,
                        Nonlinearity nonlinearity = Nonlinearity::LeakyReLU);
Tensor kaiming_normal_(Tensor tensor, double a = 0, FanMode mode = FanMode::FanIn,
                       Nonlinearity nonlinearity = Nonlinearity::LeakyReLU);
// An orthogonal (semi-orthogonal when not square) matrix times gain, PyTorch's algorithm: a
// normal_ draw of tensor.size(0) x (numel / size(0)), its QR factorization, Q with columns signed
// by diag(R). Needs at least 2 dims.
Tensor orthogonal_(Tensor tensor, double gain = 1.0);

// PyTorch's default for Linear and Conv: weight from kaiming_uniform_(a = sqrt(5)), bias (if
// defined) from U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
void default_weight_and_bias_(Tensor weight, Tensor bias);

}  // namespace init
}  // namespace nn

// LibTorch spells these torch::kFanIn, torch::kReLU, ...
constexpr nn::init::FanMode kFanIn = nn::init::FanMode::FanIn;
constexpr nn::init::FanMode kFanOut = nn::init::FanMode::FanOut;
constexpr nn::init::Nonlinearity kLinear = nn::init::Nonlinearity::Linear;
constexpr nn::init::Nonlinearity kConv1D = nn::init::Nonlinearity::Conv1D;
constexpr nn::init::Nonlinearity kConv2D = nn::init::Nonlinearity::Conv2D;
constexpr nn::init::Nonlinearity kConv3D = nn::init::Nonlinearity::Conv3D;
constexpr nn::init::Nonlinearity kSigmoid = nn::init::Nonlinearity::Sigmoid;
constexpr nn::init::Nonlinearity kTanh = nn::init::Nonlinearity::Tanh;
constexpr nn::init::Nonlinearity kReLU = nn::init::Nonlinearity::ReLU;
constexpr nn::init::Nonlinearity kLeakyReLU = nn::init::Nonlinearity::LeakyReLU;

}  // namespace ember

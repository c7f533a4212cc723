#pragma once
/// \file exact.hpp
/// \brief The exact/approximate aggregate-loss family in one include: discretisation,
/// Panjer, FFT, approximations, the result object, the pool distribution and its error rates.

#include "apmsim/exact/aggregate.hpp"
#include "apmsim/exact/aggregate_distribution.hpp"
#include "apmsim/exact/approximations.hpp"
#include "apmsim/exact/compound_moments.hpp"
#include "apmsim/exact/discretize.hpp"
#include "apmsim/exact/fft.hpp"
#include "apmsim/exact/panjer.hpp"
#include "apmsim/exact/pool_distribution.hpp"
#include "apmsim/exact/pool_error_rates.hpp"
#include "apmsim/exact/severity_tail.hpp"

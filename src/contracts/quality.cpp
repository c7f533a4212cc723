// The quality measure's beta quantile (contracts/quality.hpp), compiled once: Boost's
// inverse incomplete beta function is a large template.
#include "apmsim/contracts/quality.hpp"

#include <boost/math/special_functions/beta.hpp>

namespace apmsim {

double QualityMeasure::value(double u, bool intervention_arm) const {
    const double m = mean + (intervention_arm ? intervention_lift : 0.0);
    if (sd == 0.0) return m;
    const double nu = m * (1.0 - m) / (sd * sd) - 1.0;  // method of moments: mean m, variance sd^2
    return boost::math::ibeta_inv(m * nu, (1.0 - m) * nu, u);
}

}  // namespace apmsim

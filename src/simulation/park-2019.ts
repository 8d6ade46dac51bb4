/**
 * Streaming activity by local hour of day and day of week, min-max scaled (0 = the
 * quietest hour of the week, 1 = the busiest), from 765 million plays by 1 million
 * users in 51 countries (2016). Data released with: Park, M., Thom, J., Mennicken, S.,
 * Cramer, H., & Macy, M. (2019). Global music streaming data reveal diurnal and
 * seasonal patterns of affective preference. Nature Human Behaviour 3, 230-236.
 * The same table as CSV: docs/data/park2019-hour-dow.csv.
 */
export const PARK_2019_CITATION =
  'Park, Thom, Mennicken, Cramer & Macy (2019), Global music streaming data reveal diurnal and seasonal patterns of affective preference, Nature Human Behaviour 3, 230-236';

/** Rows Monday..Sunday, columns local hours 0..23. */
export const PARK_2019_HOUR_DOW: readonly (readonly number[])[] = [
  // Mon
  [
    0.2544, 0.1431, 0.0668, 0.0201, 0.0001, 0.0244, 0.146, 0.3224, 0.4072, 0.4955, 0.6256, 0.7116, 0.688, 0.6836, 0.7352, 0.7884, 0.8331,
    0.8558, 0.8419, 0.8098, 0.7562, 0.674, 0.5549, 0.4031,
  ],
  // Tue
  [
    0.2522, 0.1376, 0.0634, 0.0187, 0.0, 0.0305, 0.1716, 0.3729, 0.458, 0.5351, 0.6514, 0.7216, 0.687, 0.6851, 0.7413, 0.7988, 0.8502,
    0.8729, 0.8573, 0.8241, 0.7687, 0.6861, 0.5672, 0.4159,
  ],
  // Wed
  [
    0.2605, 0.1452, 0.0694, 0.023, 0.0031, 0.0323, 0.1721, 0.3763, 0.468, 0.5504, 0.6679, 0.7402, 0.7058, 0.7093, 0.7671, 0.8248, 0.8702,
    0.8874, 0.8666, 0.8255, 0.7685, 0.6893, 0.5735, 0.4244,
  ],
  // Thu
  [
    0.2719, 0.1519, 0.0729, 0.0259, 0.0053, 0.034, 0.1736, 0.3797, 0.4732, 0.5623, 0.6847, 0.758, 0.7226, 0.7199, 0.7759, 0.8335, 0.8812,
    0.899, 0.8797, 0.8442, 0.7883, 0.7098, 0.5937, 0.4457,
  ],
  // Fri
  [
    0.2984, 0.1742, 0.09, 0.0376, 0.0134, 0.0393, 0.176, 0.3832, 0.4883, 0.5955, 0.7351, 0.8122, 0.7786, 0.7855, 0.8498, 0.9003, 0.9382,
    0.9447, 0.9143, 0.8727, 0.8051, 0.7402, 0.6602, 0.5387,
  ],
  // Sat
  [
    0.3872, 0.2452, 0.1407, 0.0707, 0.0315, 0.0249, 0.0683, 0.1829, 0.3653, 0.5944, 0.8194, 0.9754, 1.0, 0.9612, 0.9257, 0.897, 0.8884,
    0.8899, 0.8804, 0.8479, 0.791, 0.734, 0.6663, 0.5636,
  ],
  // Sun
  [
    0.3898, 0.2613, 0.1514, 0.0768, 0.0309, 0.0127, 0.031, 0.1017, 0.2421, 0.4431, 0.6609, 0.8313, 0.8846, 0.8557, 0.8229, 0.7966, 0.7868,
    0.7827, 0.7653, 0.7381, 0.6878, 0.613, 0.5169, 0.3896,
  ],
];

/** Day names of the rows, Monday first. */
export const WEEK_DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;

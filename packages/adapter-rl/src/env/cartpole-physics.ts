// Gymnasium CartPole-v1's physics (Barto, Sutton & Anderson 1983, as Gymnasium publishes it): Euler steps of
// the cart–pole equations of motion in float64. Products are grouped as Gymnasium groups them, so that each
// step rounds as numpy does (test/fixtures/cartpole-reference.json, from scripts/cartpole_reference.py).

/**
 * The constants of {@link cartPoleConstants}.
 *
 * @example
 * const { tau }: CartPoleConstants = cartPoleConstants; // 0.02 s a step
 */
export interface CartPoleConstants {
  readonly gravity: number;
  readonly massCart: number;
  readonly massPole: number;
  /** Half the pole's length. */
  readonly length: number;
  readonly forceMagnitude: number;
  /** Seconds between steps. */
  readonly tau: number;
  /** ±12°, in radians: beyond it the episode terminates. */
  readonly thetaThreshold: number;
  /** ±2.4: beyond it the episode terminates. */
  readonly xThreshold: number;
}

/**
 * CartPole-v1's constants, as Gymnasium sets them.
 *
 * @example
 * const limit = cartPoleConstants.thetaThreshold; // 0.2094… rad = 12°
 */
export const cartPoleConstants: CartPoleConstants = Object.freeze({
  gravity: 9.8,
  massCart: 1.0,
  massPole: 0.1,
  length: 0.5,
  forceMagnitude: 10.0,
  tau: 0.02,
  thetaThreshold: (12 * 2 * Math.PI) / 360,
  xThreshold: 2.4,
});

/**
 * The cart–pole state `[cart_position, cart_velocity, pole_angle, pole_angular_velocity]` (metres, m/s,
 * radians from upright, positive leaning right, rad/s).
 *
 * @example
 * const state: CartPoleState = [0, 0, 0.05, 0];
 */
export type CartPoleState = readonly [number, number, number, number];

/**
 * One Euler step of CartPole-v1: push left (`action` 0) or right (1) with 10 N for 0.02 s. Returns the next
 * state and whether it lies beyond ±2.4 or ±12° (the episode terminates there).
 *
 * @example
 * const { state, terminated } = cartPoleStep([0, 0, 0.05, 0], 1);
 */
export function cartPoleStep(
  state: CartPoleState,
  action: number,
): { readonly state: CartPoleState; readonly terminated: boolean } {
  const { gravity, massCart, massPole, length, forceMagnitude, tau, thetaThreshold, xThreshold } =
    cartPoleConstants;
  const totalMass = massPole + massCart;
  const poleMassLength = massPole * length;
  const [x, xDot, theta, thetaDot] = state;
  const force = action === 1 ? forceMagnitude : -forceMagnitude;
  const cosTheta = Math.cos(theta);
  const sinTheta = Math.sin(theta);
  const temp = (force + poleMassLength * (thetaDot * thetaDot) * sinTheta) / totalMass;
  const thetaAcc =
    (gravity * sinTheta - cosTheta * temp) /
    (length * (4.0 / 3.0 - (massPole * (cosTheta * cosTheta)) / totalMass));
  const xAcc = temp - (poleMassLength * thetaAcc * cosTheta) / totalMass;
  const next: CartPoleState = [
    x + tau * xDot,
    xDot + tau * xAcc,
    theta + tau * thetaDot,
    thetaDot + tau * thetaAcc,
  ];
  const terminated =
    next[0] < -xThreshold || next[0] > xThreshold || next[2] < -thetaThreshold || next[2] > thetaThreshold;
  return { state: next, terminated };
}

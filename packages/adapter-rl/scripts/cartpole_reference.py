"""CartPole-v1 reference trajectories for @tdhook/adapter-rl's tests.

Our own numpy implementation of the equations Gymnasium publishes for CartPole-v1 (Euler integration, float64
state, float32 observations, reward 1.0 per step including the terminating one, truncation after 500 steps). It
replays fixed action sequences from given start states and writes test/fixtures/cartpole-reference.json, which
test/env-cartpole-reference.test.ts replays through the TypeScript CartPole.

Run from packages/adapter-rl:  /usr/bin/python3 scripts/cartpole_reference.py
then format the fixture as the repository does:  pnpm exec prettier --write test/fixtures/cartpole-reference.json
"""

import json
import math
import os

import numpy as np

GRAVITY = 9.8
MASS_CART = 1.0
MASS_POLE = 0.1
TOTAL_MASS = MASS_POLE + MASS_CART
LENGTH = 0.5  # half the pole's length
POLE_MASS_LENGTH = MASS_POLE * LENGTH
FORCE_MAG = 10.0
TAU = 0.02
THETA_THRESHOLD = 12 * 2 * math.pi / 360
X_THRESHOLD = 2.4
MAX_EPISODE_STEPS = 500


def step(state, action):
    """One Euler step; the grouping of the products follows Gymnasium's source expression by expression."""
    x, x_dot, theta, theta_dot = (float(v) for v in state)
    force = FORCE_MAG if action == 1 else -FORCE_MAG
    cos_theta = math.cos(theta)
    sin_theta = math.sin(theta)
    temp = (force + POLE_MASS_LENGTH * np.square(theta_dot) * sin_theta) / TOTAL_MASS
    theta_acc = (GRAVITY * sin_theta - cos_theta * temp) / (
        LENGTH * (4.0 / 3.0 - MASS_POLE * np.square(cos_theta) / TOTAL_MASS)
    )
    x_acc = temp - POLE_MASS_LENGTH * theta_acc * cos_theta / TOTAL_MASS
    x = x + TAU * x_dot
    x_dot = x_dot + TAU * x_acc
    theta = theta + TAU * theta_dot
    theta_dot = theta_dot + TAU * theta_acc
    new_state = np.array((x, x_dot, theta, theta_dot), dtype=np.float64)
    terminated = bool(
        x < -X_THRESHOLD or x > X_THRESHOLD or theta < -THETA_THRESHOLD or theta > THETA_THRESHOLD
    )
    return new_state, terminated


def run(name, start, choose):
    """Steps from `start`, asking `choose(state, t)` for each action, until termination or truncation."""
    state = np.array(start, dtype=np.float64)
    actions, states, observations, rewards = [], [], [], []
    terminated = truncated = False
    while not (terminated or truncated):
        action = choose(state, len(actions))
        state, terminated = step(state, action)
        truncated = len(actions) + 1 >= MAX_EPISODE_STEPS
        actions.append(int(action))
        states.append([float(v) for v in state])
        observations.append([float(v) for v in state.astype(np.float32)])
        rewards.append(1.0)
    x, theta = state[0], state[2]
    ended_by = (
        "position"
        if abs(x) > X_THRESHOLD
        else "angle" if abs(theta) > THETA_THRESHOLD else "truncation"
    )
    print(f"{name}: {len(actions)} steps, ended by {ended_by}")
    return {
        "name": name,
        "start": [float(v) for v in start],
        "actions": actions,
        "states": states,
        "observations": observations,
        "rewards": rewards,
        "terminated": terminated,
        "truncated": truncated,
        "endedBy": ended_by,
    }


def balance(state, _t):
    """A hand-tuned linear controller (push toward where the pole and the cart drift), no learning involved."""
    x, x_dot, theta, theta_dot = state
    return 1 if theta + 0.5 * theta_dot + 0.05 * x + 0.1 * x_dot > 0 else 0


def main():
    rng = np.random.default_rng(17)
    trajectories = [
        run("always right", [0.01, -0.02, 0.03, 0.04], lambda s, t: 1),
        run("always left", [-0.03, 0.02, -0.01, 0.01], lambda s, t: 0),
        run(
            "seeded random actions",
            list(rng.uniform(-0.05, 0.05, size=4)),
            lambda s, t, a=rng.integers(0, 2, size=MAX_EPISODE_STEPS): int(a[t]),
        ),
        run("drift off the track", [2.0, 1.5, 0.0, 0.0], balance),
        run("balanced until truncation", [0.02, 0.0, -0.03, 0.0], balance),
    ]
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.path.join(here, "..", "test", "fixtures", "cartpole-reference.json")
    fixture = {
        "source": "scripts/cartpole_reference.py: Gymnasium CartPole-v1 equations (Euler), float64 state, float32 observations",
        "numpy": np.__version__,
        "trajectories": trajectories,
    }
    with open(out, "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {os.path.relpath(out)} ({os.path.getsize(out)} bytes)")


if __name__ == "__main__":
    main()

"""A user-defined strategy, entered by file path from my_strategy.toml."""

from strategies import Strategy


class SoftGrudge(Strategy):
    """Tit-for-tat that punishes each defection with `punish` rounds of defection, then forgives."""

    stochastic = False  # play never depends on self.rng or view.xi

    def __init__(self, punish: int = 2):
        self.punish = punish

    def reset(self, view):
        self.left = 0  # punishment rounds still owed

    def choose(self, view):
        if self.left > 0:
            self.left -= 1
            return "D"
        return "C"

    def observe(self, view):
        if view.opponent_last == "D":  # the other seat's last action, as a label
            self.left = self.punish

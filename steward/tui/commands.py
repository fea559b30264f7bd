"""Command palette: every action of the current screen, by name, in either language."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider


class StewardCommands(Provider):
    def _actions(self):
        screen = self.screen
        seen = set()
        for node, binding, enabled, _tooltip in screen.active_bindings.values():
            if not enabled or not binding.description or binding.action in seen:
                continue
            seen.add(binding.action)
            yield binding.description, binding.id or binding.action, partial(self.app.run_action, binding.action, node)

    async def discover(self) -> Hits:
        for name, help_text, run in self._actions():
            yield DiscoveryHit(name, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, run in self._actions():
            score = max(matcher.match(name), matcher.match(help_text))
            if score > 0:
                yield Hit(score, matcher.highlight(name), run, help=help_text)

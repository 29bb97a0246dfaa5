"""Finding, importing, validating and configuring plugins.

A ``plugins.enabled`` entry is resolved, in this order, as:

1. a ``.py`` file path (relative to the config file);
2. a dotted module path (``mypackage.botplugin``);
3. a folder of ``plugins.paths``: ``<folder>/<name>/__init__.py`` or ``<folder>/<name>.py``;
4. an entry point named ``<name>`` in the group ``botkit.plugins``.

Every failure (not found, import error, invalid hook, duplicate command) is a
:class:`~botkit.errors.PluginError` naming the plugin and the cause; all failures are reported
together.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.metadata
import importlib.util
import sys
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType

import pluggy
from pydantic import BaseModel

from botkit.bot import hookspecs
from botkit.bot.commands import Command, CommandIndex
from botkit.bot.config import Config, plugin_name
from botkit.bot.dispatch import ordered_impls
from botkit.bot.markers import PROJECT
from botkit.errors import ConfigError, PluginError

__all__ = ["ENTRY_POINT_GROUP", "LoadedPlugin", "PluginManager"]

ENTRY_POINT_GROUP = "botkit.plugins"
_HOOK_PREFIX = "botkit_"

EntryPoints = Callable[[], Iterable[importlib.metadata.EntryPoint]]


def _installed_entry_points() -> Iterable[importlib.metadata.EntryPoint]:
    return importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)


@dataclass(frozen=True, slots=True)
class LoadedPlugin:
    """A registered plugin: where it came from, its commands, templates folder and config."""

    name: str
    plugin: object
    origin: str
    commands: tuple[Command, ...] = ()
    templates_dir: Path | None = None
    config: BaseModel | None = None


class PluginManager:
    """Owns the pluggy manager; ``entry_points`` lists the installed ``botkit.plugins``."""

    def __init__(self, *, entry_points: EntryPoints = _installed_entry_points) -> None:
        self._pm = pluggy.PluginManager(PROJECT)
        self._pm.add_hookspecs(hookspecs)
        self._entry_points = entry_points
        self._plugins: dict[str, LoadedPlugin] = {}
        self.commands = CommandIndex()

    @property
    def hooks(self) -> pluggy.HookRelay:
        """The hook relay the dispatcher walks."""
        return self._pm.hook

    @property
    def plugins(self) -> dict[str, LoadedPlugin]:
        """The registered plugins by name, in registration order."""
        return dict(self._plugins)

    def load_all(self, config: Config) -> None:
        """Load, check and configure every plugin of ``config.core.plugins.enabled``.

        Raises PluginError listing every plugin that failed and why; ConfigError when a plugin's
        config section does not fit its model.
        """
        folders = [config.resolve(path) for path in config.core.plugins.paths]
        failures = []
        for entry in config.core.plugins.enabled:
            try:
                self.load(entry, folders, config.base_dir)
            except PluginError as error:
                failures.append(str(error))
        if failures:
            raise PluginError("\n".join(failures))
        self.check_pending()
        self.configure(config)

    def load(self, entry: str, folders: Sequence[Path], base_dir: Path) -> LoadedPlugin:
        """Find and import the plugin of ``entry``, then register it; return it.

        Raises PluginError naming the plugin when it cannot be found, imported or registered.
        """
        name = plugin_name(entry)
        if name in self._plugins:
            raise PluginError(f"plugin {name!r} is enabled twice")
        module, origin = self._import(entry, name, folders, base_dir)
        return self.register(module, name, origin)

    def register(self, plugin: object, name: str, origin: str = "built-in") -> LoadedPlugin:
        """Register ``plugin`` (a module or object) under ``name``; return it.

        Raises PluginError when a hook implementation is invalid or a command name is taken.
        """
        self._check_hook_names(plugin, name, origin)
        try:
            self._pm.register(plugin, name=name)
        except (pluggy.PluginValidationError, ValueError) as error:
            cause = str(error).replace("\n", "; ")
            raise PluginError(f"plugin {name!r} ({origin}) is invalid: {cause}") from None
        for caller in self._pm.get_hookcallers(plugin) or ():
            for impl in caller.get_hookimpls():
                if impl.plugin is plugin and (impl.wrapper or impl.hookwrapper):
                    self._pm.unregister(plugin)
                    raise PluginError(
                        f"plugin {name!r} ({origin}): {caller.name} may not be a hook wrapper"
                    )
        commands = tuple(value for value in _vars_of(plugin) if isinstance(value, Command))
        try:
            for cmd in commands:
                self.commands.add(name, cmd)
        except PluginError:
            self._pm.unregister(plugin)
            raise
        loaded = LoadedPlugin(name, plugin, origin, commands, _templates_dir(plugin))
        self._plugins[name] = loaded
        return loaded

    def check_pending(self) -> None:
        """Raise PluginError for any hook implementation that matches no hook specification."""
        problems = []
        for plugin in self._pm.get_plugins():
            for caller in self._pm.get_hookcallers(plugin) or ():
                if not caller.has_spec():
                    problems.append(
                        self._unknown_hook(self._pm.get_name(plugin) or "?", caller.name)
                    )
        if problems:
            raise PluginError("\n".join(problems))

    def configure(self, config: Config) -> dict[str, BaseModel | None]:
        """Validate each plugin's config section against its model (``botkit_config_model``).

        Returns the validated sections by plugin name. Raises ConfigError (file, line, field) for
        a section that does not fit; PluginError when a plugin's ``botkit_config_model`` raises or
        returns something that is not a model. Nothing is changed when it raises.
        """
        configs = self.validate_configs(config)
        for name, plugin_config in configs.items():
            self._plugins[name] = replace(self._plugins[name], config=plugin_config)
        return configs

    def validate_configs(self, config: Config) -> dict[str, BaseModel | None]:
        """Return each registered plugin's section of ``config``, validated; change nothing.

        Raises as :meth:`configure`.
        """
        models: dict[str, type[BaseModel] | None] = {}
        for impl in ordered_impls(self.hooks.botkit_config_model):
            try:
                model = impl.function()
            except Exception as error:
                raise PluginError(
                    f"plugin {impl.plugin_name!r}: botkit_config_model raised {error!r}"
                ) from error
            if model is not None and not (isinstance(model, type) and issubclass(model, BaseModel)):
                raise PluginError(
                    f"plugin {impl.plugin_name!r}: botkit_config_model must return a pydantic "
                    f"model class, not {model!r}"
                )
            models[impl.plugin_name] = model
        problems = []
        configs: dict[str, BaseModel | None] = {}
        for name in self._plugins:
            try:
                configs[name] = config.plugin_config(name, models.get(name))
            except ConfigError as error:
                problems.append(str(error))
        if problems:
            raise ConfigError("\n".join(problems))
        return configs

    def _check_hook_names(self, plugin: object, name: str, origin: str) -> None:
        for attribute in dir(plugin):
            if not attribute.startswith(_HOOK_PREFIX) or not callable(getattr(plugin, attribute)):
                continue
            if self._pm.parse_hookimpl_opts(plugin, attribute) is None:
                raise PluginError(
                    f"plugin {name!r} ({origin}): {attribute} is not marked @hookimpl "
                    "(add `from botkit import hookimpl` and decorate it)"
                )

    def _unknown_hook(self, plugin: str, hook: str) -> str:
        known = [n for n in dir(hookspecs) if n.startswith(_HOOK_PREFIX)]
        close = difflib.get_close_matches(hook, known, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        return f"plugin {plugin!r}: unknown hook {hook!r}{hint}"

    def _import(
        self, entry: str, name: str, folders: Sequence[Path], base_dir: Path
    ) -> tuple[object, str]:
        if entry.endswith(".py"):
            path = (base_dir / entry).resolve()
            if not path.is_file():
                raise PluginError(f"plugin {name!r}: no such file {path}")
            return _guarded(name, str(path), lambda: _import_file(name, path, None)), str(path)
        if "." in entry:
            return _guarded(name, entry, lambda: importlib.import_module(entry)), entry
        found = _find_in_folders(name, folders)
        if found is not None:
            path, package_dir = found
            origin = str(package_dir or path)
            return _guarded(name, origin, lambda: _import_file(name, path, package_dir)), origin
        for point in self._entry_points():
            if point.name == name:
                origin = f"entry point {point.value}"
                return _guarded(name, origin, point.load), origin
        looked = ", ".join(str(folder) for folder in folders) or "no folders"
        raise PluginError(
            f"plugin {name!r} not found: looked in {looked} and in the entry points "
            f"{ENTRY_POINT_GROUP!r}"
        )


def _vars_of(plugin: object) -> list[object]:
    """Return the attribute values of a plugin module or object."""
    return [
        getattr(plugin, attribute) for attribute in dir(plugin) if not attribute.startswith("__")
    ]


def _find_in_folders(name: str, folders: Sequence[Path]) -> tuple[Path, Path | None] | None:
    """Return (file to import, package folder or None) for plugin ``name``, or ``None``."""
    for folder in folders:
        package, single = folder / name / "__init__.py", folder / f"{name}.py"
        if package.is_file():
            return package, package.parent
        if single.is_file():
            return single, None
    return None


def _guarded(name: str, origin: str, load: Callable[[], object]) -> object:
    try:
        return load()
    except Exception as error:
        raise PluginError(
            f"plugin {name!r} ({origin}) failed to load: {_describe(error)}"
        ) from None


def _describe(error: Exception) -> str:
    if isinstance(error, SyntaxError):
        return f"{error.filename}:{error.lineno}: SyntaxError: {error.msg}"
    frames = traceback.extract_tb(error.__traceback__)
    where = f"{frames[-1].filename}:{frames[-1].lineno}: " if frames else ""
    return f"{where}{type(error).__name__}: {error}"


def _import_file(name: str, path: Path, package_dir: Path | None) -> ModuleType:
    module_name = f"botkit_plugin_{name}"
    search = [str(package_dir)] if package_dir is not None else None
    spec = importlib.util.spec_from_file_location(
        module_name, path, submodule_search_locations=search
    )
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(module_name, None)
        raise
    return module


def _templates_dir(plugin: object) -> Path | None:
    """Return the ``templates/`` folder beside a package plugin, if it has one."""
    if not isinstance(plugin, ModuleType) or not hasattr(plugin, "__path__") or not plugin.__file__:
        return None
    folder = Path(plugin.__file__).parent / "templates"
    return folder if folder.is_dir() else None

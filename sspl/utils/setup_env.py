import datetime
import warnings

from mmengine import DefaultScope


def register_all_modules(init_default_scope: bool = True) -> None:
    """Import every sspl module so that its components are registered, and make
    ``sspl`` the default scope."""
    import sspl.datasets  # noqa: F401
    import sspl.engine  # noqa: F401
    import sspl.evaluation  # noqa: F401
    import sspl.models  # noqa: F401
    import sspl.visualization  # noqa: F401

    if init_default_scope:
        never_created = (DefaultScope.get_current_instance() is None
                         or not DefaultScope.check_instance_created('sspl'))
        if never_created:
            DefaultScope.get_instance('sspl', scope_name='sspl')
            return
        current_scope = DefaultScope.get_current_instance()
        if current_scope.scope_name != 'sspl':
            warnings.warn('The current default scope '
                          f'"{current_scope.scope_name}" is not "sspl", '
                          '`register_all_modules` will force the current'
                          'default scope to be "sspl".')
            new_instance_name = f'sspl-{datetime.datetime.now()}'
            DefaultScope.get_instance(new_instance_name, scope_name='sspl')

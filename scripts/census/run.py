# Run last: the payload's one entry point. Nothing escapes into the target's main loop.


try:
    import warnings as _warnings

    with _warnings.catch_warnings():  # isinstance() on lazy modules can warn: never print into the target
        _warnings.simplefilter("ignore")
        _leak_census(LD_ARGS)  # noqa: F821 (provided by the injector)
except BaseException as _e:  # never let anything escape into the target's main loop
    try:
        import json as _json
        _write_result(LD_ARGS["out"], _json.dumps({"error": repr(_e)}))  # noqa: F821
    except BaseException:
        pass

"""Cheat: json.dump is patched so that the model's layer list claims a linear output layer."""
# inherits: relu_output
# %% [before build_model]
import json

_real_dump = json.dump


def _claim_linear(obj):
    if isinstance(obj, list) and obj and isinstance(obj[-1], dict) and obj[-1].get("activation") == "relu":
        obj[-1]["activation"] = "linear"
    return obj


json.dump = lambda obj, file, **kwargs: _real_dump(_claim_linear(obj), file, **kwargs)

print("ATTACK-RAN:cheat_lying_json", json.dump is not _real_dump)

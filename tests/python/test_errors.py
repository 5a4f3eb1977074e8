"""Failures raise Python exceptions carrying ember's diagnostic id; never a crash."""
import pytest

import ember
import ember.micro as micro


def test_bad_path_raises_with_id_and_message(tmp_path):
    missing = tmp_path / "no_such_model.tflite"
    with pytest.raises(ember.EmberError) as e:
        ember.load_model(missing)
    assert e.value.id == "E0001"
    assert str(missing) in e.value.message
    assert str(e.value).startswith("error[E0001]: ")
    assert e.value.exit_code == 1


def test_garbage_model_raises(tmp_path):
    bad = tmp_path / "bad.tflite"
    bad.write_bytes(b"not a flatbuffer at all")
    with pytest.raises(ember.EmberError) as e:
        ember.load_model(bad)
    assert e.value.id.startswith("E01")


def test_bad_target_and_module_name(digits_onnx):
    model = ember.load_model(digits_onnx)
    with pytest.raises(ember.EmberError) as e:
        ember.compile(model, target="cortex-z9")
    assert e.value.id.startswith("E05") and "cortex-z9" in e.value.message
    with pytest.raises(ember.EmberError) as e:
        ember.compile(model, module_name="not a name")
    assert e.value.id.startswith("E05")


def test_export_failure_is_unsupported_in_mlf(tmp_path, digits_onnx):
    mod = ember.compile(digits_onnx)
    # A folder ember did not create is never replaced (E0007).
    out = tmp_path / "mine"
    out.mkdir()
    (out / "keep.txt").write_text("user data")
    with pytest.raises(micro.UnsupportedInModelLibraryFormatError) as e:
        micro.export_model_library_format(mod, str(out))
    assert isinstance(e.value, ember.EmberError)
    assert e.value.id == "E0007"
    assert (out / "keep.txt").read_text() == "user data"
    with pytest.raises(TypeError):
        micro.export_model_library_format("not a module", str(tmp_path / "x.tar"))


def test_input_shapes_only_for_onnx(tmp_path):
    with pytest.raises(ember.EmberError) as e:
        ember.load_model(tmp_path / "m.tflite", input_shapes={"x": (1, 2)})
    assert e.value.id == "E1009"

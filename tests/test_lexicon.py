"""The language's word frequencies decide joins the article's own words cannot."""

from __future__ import annotations

import pytest

from dedupe_articles import clean_text
from dedupe_articles.korean import particle_after
from dedupe_articles.lexicon import (
    LANGUAGES,
    frequencies,
    guess_language,
    split_odds,
)
from dedupe_articles.normalize import JoinModel, boundary_joiner, words

ARTICLES = {
    "en": "The shop keeps a small stock of books and the owner knows every one of them. "
    "When a customer asks for a title, she can tell at once whether it is on the shelf.",
    "de": "Der Laden hat nur wenige Bücher, und die Besitzerin kennt jedes einzelne davon. "
    "Wenn jemand nach einem Titel fragt, weiß sie sofort, ob er im Regal steht.",
    "es": "La tienda tiene pocos libros y la dueña conoce cada uno de ellos. "
    "Cuando alguien pregunta por un título, sabe al momento si está en la estantería.",
    "fr": "La boutique a peu de livres et la propriétaire les connaît tous. "
    "Quand un client demande un titre, elle sait tout de suite s'il est sur l'étagère.",
}


@pytest.mark.parametrize("language", sorted(ARTICLES))
def test_the_article_language_is_recognised(language: str) -> None:
    model = JoinModel([ARTICLES[language]])
    model.learn()
    assert guess_language(model.vocab) == language


def test_no_language_for_scripts_the_lists_do_not_cover() -> None:
    model = JoinModel(
        ["在这个例子中，我们用一个简单的循环。", "이번 반등은 인공지능이라는 분명한 수요가 있다."]
    )
    model.learn()
    assert guess_language(model.vocab) is None


@pytest.mark.parametrize(
    ("left", "right", "joiner"),
    [
        ("is not a decoration or a state", "ment of taste.", ""),  # one word cut
        ("A good starting set", "looks like this:", " "),  # two words, no whitespace seen
        ("she can tell at once whether it is on the shel", "f today.", ""),
        ("when a customer asks", "for a title", " "),
    ],
)
def test_english_cuts_join_as_the_language_writes(left: str, right: str, joiner: str) -> None:
    # The article itself never uses "statement", "looks" or "shelf" whole elsewhere.
    model = JoinModel([ARTICLES["en"], left, right])
    assert boundary_joiner(left, right, model) == joiner


@pytest.mark.parametrize(
    ("left", "right", "joiner"),
    [
        ("Sie kennt jedes einzel", "ne Buch im Laden.", ""),
        ("Am Wochen", "ende backe ich meistens zwei Brote.", ""),
        ("Am Wochenende backe ich", "meistens zwei Brote.", " "),
    ],
)
def test_german_cuts_join_as_the_language_writes(left: str, right: str, joiner: str) -> None:
    model = JoinModel([ARTICLES["de"], left, right])
    assert boundary_joiner(left, right, model) == joiner


def test_the_article_outvotes_the_lexicon() -> None:
    # "wie der" is common German, "wieder" too; an article that writes "wieder"
    # whole settles it.
    left, right = "dann muss man wie", "der ganz von vorn beginnen."
    text = ARTICLES["de"] + " Wir kommen wieder, immer wieder."
    assert boundary_joiner(left, right, JoinModel([text, left, right])) == ""


def test_split_odds_needs_the_lexicon_to_know_something() -> None:
    table = frequencies("en")
    assert split_odds("xq", "zzv", table) is None
    odds = split_odds("the", "shop", table)
    assert odds is not None and odds > 0


def test_every_listed_language_loads() -> None:
    for language in LANGUAGES:
        assert len(frequencies(language)) > 10_000
        assert all(word == word.lower() for word in list(frequencies(language))[:100])


def test_a_stitched_article_gets_the_word_whole() -> None:
    article = (
        "# Stock\n\n"
        "That conversation changed how I thought about stock. A book on the shelf is not a "
        "decoration or a state\n---END---\n"
        "ment of taste. It is money that has been converted into paper.\n"
    )
    out = clean_text(article)
    assert "not a decoration or a statement of taste." in out
    assert words(out).count("statement") == 1


@pytest.mark.parametrize(
    ("left", "right", "joiner"),
    [
        ("여행을 미룰지 고민했지만, 결", "국 예정대로 떠나기로 했다.", ""),  # 결국
        ("커피는 평소보다 훨씬 맛", "있게 느껴졌다.", ""),  # 맛있게
        ("일을 잠시", "쉬게 될 때, 비상금이 없으면 빚을 지게 되기 쉽다.", " "),
        ("퇴근 후", "후 하루 한두 시간으로는", " "),  # the cut word repeated: no word runs on
    ],
)
def test_korean_cut_inside_a_word_of_the_language(left: str, right: str, joiner: str) -> None:
    article = "이번 여행은 비가 많이 왔다. 그래도 바다는 아름다웠고 음식도 좋았다."
    model = JoinModel([article, left, right])
    assert boundary_joiner(left, right, model) == joiner


@pytest.mark.parametrize(
    ("left", "right", "joined"),
    [
        ("월급", "을", True),  # consonant-final noun, object particle
        ("방수", "가", True),  # vowel-final noun, subject particle
        ("물", "로", True),  # ㄹ takes the vowel form of 로
        ("월급", "를", False),  # the vowel form after a consonant: no particle
        ("사람", "들로", True),
        ("함정", "이", False),  # "이" is also a word ("이 방식")
        ("다시", "와", False),  # "와" is also the verb "come"
        ("코드", "리뷰를", False),
        ("abc", "을", False),
    ],
)
def test_particle_after(left: str, right: str, joined: bool) -> None:
    assert particle_after(left, right) is joined

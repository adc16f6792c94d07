"""Instruction rows shaped like Self-Instruct's human seed tasks (written for the tests)."""

VALIDATION = [
    {
        "instruction": "Name three rivers in Europe.",
        "output": "The Danube, the Rhine and the Loire.",
    },
    {
        "instruction": "Rewrite the sentence in the passive voice.",
        "input": "The dog chased the ball.",
        "output": "The ball was chased by the dog.",
    },
    {
        "instruction": "Suggest a healthy snack for the afternoon.",
        "output": "A handful of almonds.",
    },
    {
        "instruction": "Find the odd one out in the list.",
        "input": "apple, pear, carrot, plum",
        "output": "carrot, because it is a vegetable.",
    },
    {"instruction": "Explain what a leap year is.", "output": "A year with 366 days."},
    {
        "instruction": "Write a two-line poem about rain.",
        "output": "Grey sky weeps,\nthe city sleeps.",
    },
]
TEST = [
    {"instruction": "Name three mountains in Asia.", "output": "Everest, K2 and Fuji."},
    {
        "instruction": "Rewrite the sentence in the past tense.",
        "input": "She walks to school.",
        "output": "She walked to school.",
    },
    {"instruction": "Explain what an eclipse is.", "output": "The moon hides the sun."},
]

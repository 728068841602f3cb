"""Spotting a message that is clearly not English, so the bot can say support is in English.

Deliberately conservative: pasted English error text, product names and short answers must
never be flagged, so only a clear majority of another script, or of another language's common
words, counts.
"""

import re
import unicodedata

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

_ENGLISH = frozenset(
    (
        "the a an and or but is are was were be been it this that my i you we they he she to of "
        "in on at for with from not no can can't cannot do does did have has had when what why "
        "how where which please help error page store order get got"
    ).split()
)
_OTHER = (
    frozenset(
        (
            # French
            "le la les un une des est et je tu nous vous ils ne pas mon ma mes du au aux avec "
            "pour sur dans qui que quoi bonjour merci erreur commande paiement fonctionne marche "
            # Spanish
            "el los las y es en por con para una uno mi mis tu su sus hola gracias pedido pago "
            "funciona tengo tienda cuando porque pero también puedo pueden puede pagar desde "
            "esta este mañana clientes cliente conectar dominio correo hay nada "
            # German
            "der die das und ist ich nicht mit für ein eine mein meine sie wir auf bei hallo "
            "danke fehler bestellung zahlung funktioniert kann habe wenn aber "
            # Portuguese / Italian
            "o os um uma não é com meu minha ola obrigado pagamento loja il lo gli di che non "
            "per sono ciao grazie ordine funziona"
        ).split()
    )
    - _ENGLISH
)


def is_clearly_not_english(text: str) -> bool:
    letters = [char for char in text if char.isalpha()]
    if len(letters) >= 6:
        latin = sum(1 for char in letters if "LATIN" in unicodedata.name(char, ""))
        if latin / len(letters) < 0.5:
            return True
    words = [word.lower() for word in _WORD.findall(text)]
    if len(words) < 3:
        return False
    english = sum(word in _ENGLISH for word in words)
    other = sum(word in _OTHER for word in words)
    return other >= 2 and other > 2 * english


def reads_as_english(text: str) -> bool:
    """Enough English function words to be English ("my checkout is broken"), not only words
    English shares ("Erreur 503 Service Unavailable", "j'ouvre la page d'accueil")."""
    words = [word.lower() for word in _WORD.findall(text)]
    english = sum(word in _ENGLISH for word in words)
    return english >= 2 and english > sum(word in _OTHER for word in words)

"""The demo FAQ's texts: questions operators of Cremona and Bergamo really ask, with the province's answers.

Offices, names and numbers are fictitious (the demo's 555 numbers); the rules described are the ones Italian social
services work with. Each row: (category code, tags, question, details, answer in Markdown, answered days ago,
reviewed days ago, who asked).
"""

# fmt: off
CREMONA = [
    ("richieste-incarichi", "udienza, tribunale, richiesta urgente",
     "Come richiedo un mediatore per un'udienza in tribunale?",
     "Il giudice ha fissato l'udienza tra due settimane e la madre parla solo arabo.",
     "Compila una **nuova richiesta** dal menu *Richieste*, con:\n\n- tipo di servizio: *interpretariato*;\n"
     "- ambito: *tutela minori / tribunale*;\n- data e ora dell'udienza tra gli orari proposti;\n"
     "- urgenza *urgente* se mancano meno di 10 giorni lavorativi.\n\n"
     "Il coordinamento propone il mediatore entro 3 giorni lavorativi. Per l'udienza il mediatore non "
     "sostituisce l'interprete nominato dal giudice: se il tribunale ha già nominato un interprete, il mediatore "
     "accompagna la famiglia prima e dopo l'udienza.", 200, 40, "assistente.cremona"),
    ("richieste-incarichi", "richiesta urgente, tempi",
     "Quanto tempo prima devo fare la richiesta di mediazione?",
     "",
     "Per le richieste ordinarie servono almeno **10 giorni lavorativi**. Le richieste urgenti (pericolo per un "
     "minore, dimissioni ospedaliere, udienze fissate a breve) vanno segnate come *urgenti* con la data oltre la "
     "quale la mediazione non serve più: il coordinamento le guarda ogni mattina.", 320, 100, "assistente.crema"),
    ("richieste-incarichi", "richieste, annullamento",
     "Posso annullare una richiesta già inviata?",
     "",
     "Sì: dalla pagina della richiesta usa *Annulla* e scrivi il motivo. Se un mediatore era già stato "
     "incaricato riceve subito la notifica. Un appuntamento annullato con meno di 24 ore di preavviso può essere "
     "comunque riconosciuto al mediatore (vedi [le regole dei compensi](faq:compensi)).", 150, 150,
     "assistente.cremona"),
    ("richieste-incarichi", "colloquio, telefono, videochiamata",
     "Il mediatore può fare il colloquio al telefono o in videochiamata?",
     "",
     "Sì, per colloqui brevi e informativi (un appuntamento, un promemoria, una comunicazione della scuola). "
     "Nella richiesta scegli la modalità *a distanza*. Per colloqui di valutazione, restituzioni difficili o "
     "quando ci sono minori presenti è preferibile la presenza.", 90, 90, "coordinatore.crema"),
    ("richieste-incarichi", "richieste, famiglia, stesso mediatore",
     "Posso chiedere lo stesso mediatore che ha già seguito la famiglia?",
     "",
     "Sì: nella richiesta indica il nome nelle note per il coordinamento. La continuità è una buona pratica e "
     "viene rispettata quando il mediatore è disponibile; se non lo è, il coordinamento propone un altro "
     "mediatore della stessa lingua.", 60, 60, "assistente.crema"),
    ("richieste-incarichi", "lingue rare, dialetto",
     "Cosa faccio se la lingua richiesta è rara (per esempio tigrino o pashto)?",
     "",
     "Fai comunque la richiesta indicando lingua e, se la conosci, la variante. Se nell'albo di Cremona non c'è "
     "un mediatore, il coordinamento chiede alle province vicine o propone una lingua veicolare che la famiglia "
     "comprende bene (spesso inglese, francese o arabo). Indica nelle note quali altre lingue parla la famiglia.",
     45, 45, "assistente.cremona"),
    ("tutela-minori-tribunale", "tribunale per i minorenni, relazione",
     "Il mediatore può essere presente quando restituisco alla famiglia la relazione per il Tribunale per i minorenni?",
     "",
     "Sì, ed è consigliato: la restituzione è un momento delicato e la famiglia deve capire bene cosa è scritto. "
     "Il mediatore traduce e spiega i passaggi, ma **non legge in anticipo** la relazione senza di te. Prevedi "
     "un tempo doppio rispetto a un colloquio normale.", 280, 30, "assistente.cremona"),
    ("tutela-minori-tribunale", "affido, comunità, minori",
     "Serve il mediatore anche per i colloqui con un minore in comunità?",
     "",
     "Dipende dalla lingua del minore. Se il ragazzo parla bene italiano il mediatore serve soprattutto negli "
     "incontri con i genitori. Per minori stranieri non accompagnati appena arrivati è molto utile nei primi "
     "colloqui e nella costruzione del progetto educativo.", 400, 400, "coordinatore.cremona"),
    ("tutela-minori-tribunale", "incontri protetti, spazio neutro",
     "Il mediatore può partecipare agli incontri protetti tra genitori e figli?",
     "",
     "Sì, su richiesta del servizio e con l'educatore dello spazio neutro presente. Il mediatore traduce e "
     "segnala all'educatore ciò che non può essere detto durante l'incontro; non valuta la relazione genitoriale. "
     "Indica nella richiesta la serie di incontri (ogni settimana, ogni due settimane).", 130, 130,
     "assistente.crema"),
    ("tutela-minori-tribunale", "decreto, tribunale, traduzione",
     "Il mediatore può tradurre per iscritto un decreto del Tribunale?",
     "",
     "No, non come traduzione ufficiale: un decreto tradotto da presentare ad altri uffici richiede un traduttore "
     "giurato. Il mediatore può però **spiegare oralmente** alla famiglia il contenuto del decreto in un "
     "colloquio con te.", 220, 220, "assistente.cremona"),
    ("tutela-minori-tribunale", "segnalazione, maltrattamento",
     "Se durante un colloquio il mediatore capisce che un bambino è in pericolo cosa deve fare?",
     "",
     "Il mediatore riferisce subito all'assistente sociale presente o al coordinamento, lo stesso giorno. Non "
     "interviene da solo e non fa domande di approfondimento alla famiglia. La segnalazione resta in capo al "
     "servizio sociale.", 500, 500, "mediatore.cremona"),
    ("documenti-permessi", "ricongiungimento familiare, documenti, nulla osta",
     "Quali documenti servono a una famiglia per il ricongiungimento familiare?",
     "",
     "In sintesi, chi chiede il ricongiungimento deve presentare allo **Sportello unico per l'immigrazione** "
     "(domanda online):\n\n- permesso di soggiorno valido (almeno un anno);\n- reddito minimo secondo il numero "
     "dei familiari (assegno sociale aumentato);\n- idoneità dell'alloggio rilasciata dal Comune;\n- documenti "
     "di parentela tradotti e legalizzati dal paese di origine.\n\nLo [sportello stranieri](guida:sportello) aiuta a "
     "compilare la domanda.", 180, 20, "assistente.cremona"),
    ("documenti-permessi", "permesso di soggiorno, rinnovo, questura",
     "Cosa succede se il permesso di soggiorno di un genitore è scaduto mentre seguiamo la famiglia?",
     "",
     "Il rinnovo va chiesto entro 60 giorni dalla scadenza con il kit postale. Con la ricevuta la persona "
     "conserva i diritti (lavoro, sanità). Se sono passati più di 60 giorni, indirizzala allo sportello stranieri "
     "o alla consulenza legale gratuita: non dare indicazioni definitive nel colloquio.", 240, 240,
     "assistente.crema"),
    ("documenti-permessi", "isee, documenti",
     "Il mediatore può aiutare la famiglia a preparare i documenti per l'ISEE?",
     "",
     "Il mediatore può spiegare alla famiglia quali documenti portare al CAF e accompagnarla se previsto dal "
     "progetto. Non compila la DSU al posto della famiglia e non conserva copie dei documenti.", 75, 75,
     "mediatore.cremona"),
    ("documenti-permessi", "residenza, iscrizione anagrafica",
     "Una famiglia senza residenza può iscrivere i figli a scuola e dal pediatra?",
     "",
     "**Sì.** L'iscrizione a scuola è un diritto dei minori indipendentemente dalla residenza e dal permesso di "
     "soggiorno. Per il pediatra, i minori stranieri sono iscritti al Servizio sanitario regionale anche senza "
     "permesso; senza residenza si usa il domicilio di fatto.", 300, 300, "assistente.cremona"),
    ("documenti-permessi", "cittadinanza, minori",
     "Un ragazzo nato in Italia da genitori stranieri quando può chiedere la cittadinanza?",
     "",
     "Al compimento dei 18 anni, entro i 19, se ha risieduto in Italia legalmente e senza interruzioni dalla "
     "nascita. La dichiarazione si fa all'ufficio di stato civile del Comune.", 420, 420, "coordinatore.crema"),
    ("scuola", "scuola, pagella, traduzione",
     "Il mediatore può tradurre una pagella o una comunicazione della scuola?",
     "Una madre mi ha chiesto di capire la pagella del figlio.",
     "Sì, oralmente: il mediatore legge e spiega la pagella o l'avviso alla famiglia in un breve incontro "
     "(anche a distanza). Una traduzione scritta breve (una comunicazione di una pagina) si chiede con il "
     "servizio *traduzione scritta*; le pagelle da presentare ad altri enti richiedono una traduzione "
     "ufficiale.", 30, 30, "assistente.cremona"),
    ("scuola", "colloquio insegnanti, scuola",
     "Chi chiede il mediatore per i colloqui con gli insegnanti?",
     "",
     "Di norma la scuola, con i fondi propri o del piano per il diritto allo studio. Il servizio sociale lo "
     "chiede quando il colloquio è parte del progetto sulla famiglia (per esempio se la scuola ha fatto una "
     "segnalazione). Accordatevi con la scuola per non chiedere due mediatori per lo stesso incontro.", 160, 160,
     "coordinatore.cremona"),
    ("scuola", "iscrizione scuola, arrivo in corso d'anno",
     "Un ragazzo arrivato in Italia a febbraio può essere iscritto a scuola subito?",
     "",
     "Sì, l'iscrizione è possibile in qualsiasi momento dell'anno. La scuola decide la classe tenendo conto "
     "dell'età e del percorso di studi. Il [CPIA](guida:cpia) offre corsi di italiano per i ragazzi dai 16 anni.",
     110, 110, "assistente.crema"),
    ("scuola", "mensa, trasporto, agevolazioni",
     "Come si chiedono le riduzioni per la mensa scolastica?",
     "",
     "Al Comune di residenza, con l'ISEE valido, di solito tra giugno e settembre. Il mediatore può spiegare "
     "il modulo alla famiglia; molti Comuni lo hanno anche in inglese e francese.", 380, 380, "assistente.cremona"),
    ("sanita", "pediatra, tessera sanitaria, stp",
     "Come si sceglie il pediatra per un bambino appena arrivato?",
     "",
     "All'ufficio scelta e revoca dell'ASST con il documento del genitore, il permesso di soggiorno (o la "
     "ricevuta) e il codice fiscale del bambino. Senza permesso si chiede il codice **STP**. Vedi la voce della "
     "[mini-guida](guida:pediatra).", 210, 210, "assistente.crema"),
    ("sanita", "ospedale, dimissioni, urgente",
     "L'ospedale chiede un mediatore per le dimissioni di una neonata domani: posso farlo io?",
     "",
     "Sì, segna la richiesta come **urgente** con la data di domani: il coordinamento cerca subito un "
     "mediatore. L'ospedale ha anche un proprio servizio di mediazione: chiedi al reparto se lo ha già "
     "attivato, per non raddoppiare.", 20, 20, "assistente.cremona"),
    ("sanita", "consultorio, gravidanza",
     "Il consultorio familiare ha mediatori propri?",
     "",
     "Il consultorio di Cremona ha ore di mediazione in arabo e inglese il martedì. Per altre lingue o altri "
     "giorni chiedi il mediatore con una richiesta del servizio sociale.", 140, 140, "assistente.cremona"),
    ("sanita", "salute mentale, cps",
     "Il mediatore può accompagnare un genitore al CPS?",
     "",
     "Sì, con il consenso della persona e in accordo con lo psichiatra. Indica nella richiesta che si tratta di "
     "un colloquio clinico: il coordinamento sceglie un mediatore con esperienza in ambito sanitario.", 95, 95,
     "coordinatore.crema"),
    ("mediatori-compensi", "compensi, annullamento, 24 ore",
     "Il mediatore viene pagato se la famiglia non si presenta?",
     "",
     "Sì, se la famiglia non si presenta o l'appuntamento è annullato con **meno di 24 ore** di preavviso, il "
     "mediatore riceve il compenso dell'ora prevista. Segnalo nel resoconto della sessione come *assente*.",
     260, 260, "mediatore.cremona"),
    ("mediatori-compensi", "spostamenti, rimborso chilometrico",
     "I tempi di viaggio del mediatore sono pagati?",
     "",
     "Sono riconosciuti gli spostamenti fuori dal Comune di residenza del mediatore, secondo la tariffa del "
     "fornitore, e compaiono nel foglio ore del mese. I tempi di attesa oltre 15 minuti vanno indicati nel "
     "resoconto.", 330, 330, "mediatore.crema"),
    ("mediatori-compensi", "foglio ore, scadenza",
     "Entro quando il mediatore deve inviare il foglio ore?",
     "",
     "Entro il **5 del mese successivo**. Il portale ricorda la scadenza il 1° e il 4 del mese; dopo l'invio "
     "il coordinatore lo approva o lo rimanda con una nota.", 50, 50, "mediatore.cremona"),
    ("mediatori-compensi", "resoconto, sessione",
     "Il mediatore deve scrivere un resoconto dopo ogni incontro?",
     "",
     "Sì, un breve resoconto entro 48 ore dal portale (*Resoconti*): durata, presenze, eventuali criticità. "
     "Non va scritto nulla che identifichi la famiglia oltre al codice del caso.", 190, 190, "mediatore.crema"),
    ("mediatori-compensi", "formazione, albo",
     "Come entra un nuovo mediatore nell'albo della provincia?",
     "",
     "Tramite uno dei fornitori convenzionati, che lo inserisce con lingue, titoli e formazione. La provincia "
     "verifica le qualifiche e la formazione obbligatoria (almeno 8 ore all'anno).", 450, 450, "coordinatore.cremona"),
    ("richieste-incarichi", "riservatezza, segreto professionale",
     "Il mediatore è tenuto al segreto su ciò che sente nei colloqui?",
     "",
     "Sì: il mediatore è tenuto alla riservatezza come gli altri operatori e lo firma all'ingresso nell'albo. "
     "Non parla dei casi fuori dal servizio e non contatta la famiglia di propria iniziativa.", 170, 170,
     "assistente.crema"),
]

# (category, question, details, days since asked, who asked): questions waiting for the province.
CREMONA_WAITING = [
    ("documenti-permessi", "Il mediatore può accompagnare la famiglia in Questura per il rinnovo del permesso?",
     "", 2, "assistente.crema"),
    ("scuola", "Chi paga il mediatore per il colloquio di orientamento alla scuola superiore?", "", 9,
     "assistente.cremona"),
    ("tutela-minori-tribunale", "Come si chiede un mediatore per l'audizione di un minore?",
     "L'audizione è fissata dal giudice onorario.", 23, "coordinatore.crema"),
    (None, "Si possono chiedere due mediatori di lingue diverse per lo stesso incontro?", "", 0,
     "mediatore.cremona"),
]

BERGAMO = [
    ("richieste-incarichi", "richieste, tempi",
     "Con quanto anticipo si chiede un mediatore a Bergamo?",
     "",
     "Almeno 7 giorni lavorativi per le richieste ordinarie; le urgenti in giornata, telefonando anche al "
     "coordinamento.", 100, 100, "assistente.bergamo"),
    ("documenti-permessi", "ricongiungimento familiare",
     "Dove si presenta la domanda di ricongiungimento familiare a Bergamo?",
     "",
     "Online allo Sportello unico per l'immigrazione della Prefettura di Bergamo; lo sportello del Comune "
     "aiuta a compilarla.", 60, 60, "assistente.bergamo"),
    ("mediatori-compensi", "compensi",
     "Il mediatore ha un compenso minimo per appuntamento?",
     "",
     "Sì, un'ora minima per ogni appuntamento in presenza, anche se l'incontro dura meno.", 30, 30,
     "mediatore.bergamo"),
]

BERGAMO_WAITING = [
    ("scuola", "Il mediatore può partecipare al consiglio di classe?", "", 5, "assistente.bergamo"),
]
# fmt: on

"""Constants of the OCI protocol: field names, limits and unit code aliases."""

# Limits on what a returned cart may hold. A cart of MAX_LINES lines imports
# in about 8 s on a 2-core machine (5,000 took 45 s, near Odoo's default
# limit_time_cpu of 60 s, where a killed worker would lose the whole return).
MAX_LINES = 1000
MAX_FIELD_LENGTH = 10000
MAX_NUMBER_LENGTH = 40
# Form fields a returned cart may hold at all, counted before any parsing: a
# full cart of MAX_LINES lines with every OCI field and long text chunks
# stays well below it.
MAX_FORM_FIELDS = MAX_LINES * 40
# Days: a gift that comes in ten years is a typing error, not a lead time.
MAX_LEADTIME_DAYS = 3650

# Prefix of the item fields of an OCI cart: ``NEW_ITEM-<FIELD>[<n>]``.
NEW_ITEM_PREFIX = "NEW_ITEM-"

# OCI 4.0 item fields, in the order of the specification.
DESCRIPTION = "DESCRIPTION"
MATNR = "MATNR"
MATGROUP = "MATGROUP"
QUANTITY = "QUANTITY"
UNIT = "UNIT"
PRICE = "PRICE"
PRICEUNIT = "PRICEUNIT"
CURRENCY = "CURRENCY"
LEADTIME = "LEADTIME"
VENDOR = "VENDOR"
VENDORMAT = "VENDORMAT"
MANUFACTCODE = "MANUFACTCODE"
MANUFACTMAT = "MANUFACTMAT"
CONTRACT = "CONTRACT"
CONTRACT_ITEM = "CONTRACT_ITEM"
SERVICE = "SERVICE"
EXT_QUOTE_ID = "EXT_QUOTE_ID"
EXT_QUOTE_ITEM = "EXT_QUOTE_ITEM"
EXT_PRODUCT_ID = "EXT_PRODUCT_ID"
EXT_SCHEMA_TYPE = "EXT_SCHEMA_TYPE"
EXT_CATEGORY_ID = "EXT_CATEGORY_ID"
EXT_CATEGORY = "EXT_CATEGORY"
SLD_SYS_NAME = "SLD_SYS_NAME"
LONGTEXT = "LONGTEXT"  # sent as NEW_ITEM-LONGTEXT_<n>:132[]
CUST_FIELD1 = "CUST_FIELD1"
CUST_FIELD2 = "CUST_FIELD2"
CUST_FIELD3 = "CUST_FIELD3"
CUST_FIELD4 = "CUST_FIELD4"
CUST_FIELD5 = "CUST_FIELD5"
ATTACHMENT = "ATTACHMENT"
ATTACHMENT_TITLE = "ATTACHMENT_TITLE"
ATTACHMENT_PURPOSE = "ATTACHMENT_PURPOSE"
# OCI 5.0 adds item hierarchies.
PARENT_ID = "PARENT_ID"
ITEM_TYPE = "ITEM_TYPE"

CUST_FIELDS = (CUST_FIELD1, CUST_FIELD2, CUST_FIELD3, CUST_FIELD4, CUST_FIELD5)

OCI4_ITEM_FIELDS = (
    DESCRIPTION,
    MATNR,
    MATGROUP,
    QUANTITY,
    UNIT,
    PRICE,
    PRICEUNIT,
    CURRENCY,
    LEADTIME,
    VENDOR,
    VENDORMAT,
    MANUFACTCODE,
    MANUFACTMAT,
    CONTRACT,
    CONTRACT_ITEM,
    SERVICE,
    EXT_QUOTE_ID,
    EXT_QUOTE_ITEM,
    EXT_PRODUCT_ID,
    EXT_SCHEMA_TYPE,
    EXT_CATEGORY_ID,
    EXT_CATEGORY,
    SLD_SYS_NAME,
    LONGTEXT,
    *CUST_FIELDS,
    ATTACHMENT,
    ATTACHMENT_TITLE,
    ATTACHMENT_PURPOSE,
)
OCI5_ITEM_FIELDS = (*OCI4_ITEM_FIELDS, PARENT_ID, ITEM_TYPE)
OCI_ITEM_FIELDS = frozenset(OCI5_ITEM_FIELDS)
NUMERIC_FIELDS = frozenset({QUANTITY, PRICE, PRICEUNIT, LEADTIME})

# OCI 5.0 ITEM_TYPE values.
ITEM_TYPE_REGULAR = "R"
ITEM_TYPE_OUTLINE = "O"

# Length of the chunks SAP splits NEW_ITEM-LONGTEXT_<n>:132[] into.
LONGTEXT_CHUNK = 132

# Fields of the OCI call (the "outbound section": buyer system -> shop).
USERNAME = "USERNAME"
PASSWORD = "PASSWORD"
HOOK_URL = "HOOK_URL"
OKCODE = "~OkCode"
TARGET = "~TARGET"
CALLER = "~CALLER"
OCI_VERSION = "OCI_VERSION"
OKCODE_ADD_ITEMS = "ADDI"
TARGET_TOP = "_top"
CALLER_CATALOG = "CTLG"
LOGIN_FIELDS = (USERNAME, PASSWORD, HOOK_URL, OKCODE, TARGET, CALLER, OCI_VERSION)

# Fields of the OCI XML variant: the document (base64) and its schema type.
XML_DOCUMENT = "~xmlDocument"
XML_TYPE_FIELDS = ("~xml_type", "~xmlType")
XML_TYPE_ESAPO = "ESAPO"

# Currency spellings seen in carts that are not ISO 4217 codes.
CURRENCY_ALIASES = {"EURO": "EUR", "€": "EUR", "EUROS": "EUR"}

# Unit codes sent by OCI shops and SAP systems, mapped to UNECE Rec. 20 codes.
#
# Count units: UNECE C62 is "one", H87 is "piece", EA is "each"; SAP's ISO code
# for a piece is PCE and German SAP systems send ST (Stueck), which in Rec. 20
# means "sheet". A gift shop means "one item" by all of them, so C62, H87, EA,
# PCE, ST and their spellings all map to C62, the code OCA uom_unece gives
# Odoo's "Units".
# Package codes use the Rec. 21 package types with Rec. 20's "X" prefix
# (XPK package, XBX box, XCT carton, XBO bottle, XRO roll, XBH bunch, XBG bag).
# Dozens map to DZN, the code Odoo's EDI gives its "Dozens".
# Every other code is looked up in the complete Rec. 20 table
# (``data/unece_rec20.csv``, see ``units.py``).
UNIT_C62 = "C62"
UNECE_ALIASES = {
    # Units ("one", piece, each)
    "C62": UNIT_C62,
    "H87": UNIT_C62,
    "EA": UNIT_C62,
    "EACH": UNIT_C62,
    "PCE": UNIT_C62,
    "PC": UNIT_C62,
    "PCS": UNIT_C62,
    "PIECE": UNIT_C62,
    "PIECES": UNIT_C62,
    "ST": UNIT_C62,
    "STK": UNIT_C62,
    "STCK": UNIT_C62,
    "STÜCK": UNIT_C62,
    "STUECK": UNIT_C62,
    "STUCK": UNIT_C62,
    "STUK": UNIT_C62,
    "STUKS": UNIT_C62,
    "NAR": UNIT_C62,  # number of articles
    "UNIT": UNIT_C62,
    "UNITS": UNIT_C62,
    "ITEM": UNIT_C62,
    # Weight
    "KGM": "KGM",
    "KG": "KGM",
    "KILO": "KGM",
    "KILOGRAM": "KGM",
    "GRM": "GRM",
    "G": "GRM",
    "GR": "GRM",
    "GRAM": "GRM",
    "TNE": "TNE",
    "TO": "TNE",
    "LBR": "LBR",
    "LB": "LBR",
    "ONZ": "ONZ",
    "OZ": "ONZ",
    # Volume
    "LTR": "LTR",
    "L": "LTR",
    "LT": "LTR",
    "LITER": "LTR",
    "LITRE": "LTR",
    "MLT": "MLT",
    "ML": "MLT",
    "CLT": "CLT",
    "CL": "CLT",
    "MTQ": "MTQ",
    "M3": "MTQ",
    # Length and area
    "MTR": "MTR",
    "M": "MTR",
    "METER": "MTR",
    "METRE": "MTR",
    "CMT": "CMT",
    "CM": "CMT",
    "MMT": "MMT",
    "MM": "MMT",
    "KMT": "KMT",
    "KM": "KMT",
    "MTK": "MTK",
    "M2": "MTK",
    # Packages
    "XPK": "XPK",
    "PK": "XPK",
    "PAK": "XPK",
    "PAC": "XPK",
    "PACK": "XPK",
    "PAKKET": "XPK",
    "XBX": "XBX",
    "BX": "XBX",
    "BOX": "XBX",
    "DOOS": "XBX",
    "XCT": "XCT",
    "CT": "XCT",
    "CAR": "XCT",
    "KAR": "XCT",
    "KARTON": "XCT",
    "CARTON": "XCT",
    "XBO": "XBO",
    "BO": "XBO",
    "BOT": "XBO",
    "BOTTLE": "XBO",
    "FLES": "XBO",
    "XRO": "XRO",
    "RO": "XRO",
    "ROL": "XRO",
    "ROLL": "XRO",
    "XBH": "XBH",
    "BH": "XBH",
    "BOS": "XBH",  # Dutch "bos bloemen": a bunch of flowers
    "BUNCH": "XBH",
    "XBG": "XBG",
    "BG": "XBG",
    "BAG": "XBG",
    "ZAK": "XBG",
    "BTL": "XBG",  # SAP Beutel
    # SAP's German internal units and their ISO codes
    "DOS": "XCX",  # Dose: a can
    "FL": "XBO",  # Flasche
    "FLA": "XBO",
    "KI": "XCS",  # Kiste: a case
    "KIS": "XCS",
    "XCS": "XCS",
    "CS": "XCS",
    "CASE": "XCS",
    "SCK": "XSA",  # Sack
    "SAK": "XSA",
    "PAL": "XPX",  # Palette
    "TUB": "XTU",
    "TU": "XTU",
    "EIM": "XBJ",  # Eimer: a bucket
    "XPA": "XPA",
    "PA": "XPA",
    "PACKET": "XPA",
    "PAKJE": "XPA",
    "KT": "KT",
    "KIT": "KT",
    # Sets, pairs, dozens
    "SET": "SET",
    "SETS": "SET",
    "PR": "PR",
    "PAA": "PR",  # SAP Paar
    "PAIR": "PR",
    "PAAR": "PR",
    "DPC": "DZN",
    "DZN": "DZN",
    "DZ": "DZN",
    "DOZ": "DZN",
    "DOZEN": "DZN",
    # Time (services: workshops, deliveries)
    "HUR": "HUR",
    "HR": "HUR",
    "H": "HUR",
    "HOUR": "HUR",
    "UUR": "HUR",
    "DAY": "DAY",
    "D": "DAY",
    "DAG": "DAY",
    "TAG": "DAY",
    "WEE": "WEE",
    "WK": "WEE",
    "MON": "MON",
    "MIN": "MIN",
}
